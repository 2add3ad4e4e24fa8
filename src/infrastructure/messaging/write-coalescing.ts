import type { ChannelModel } from 'amqplib';
import type { Socket } from 'node:net';

/**
 * amqplib writes every frame to the socket as it is produced, so a burst of publishes and
 * acks costs one syscall each (on a loopback broker, each also wakes the broker). Corking the
 * socket at the first write of an event-loop turn and uncorking on the next tick sends the
 * whole burst in one writev, without delaying anything past the current turn (unlike Nagle,
 * which is off: see amqp-connection.ts).
 */
export function coalesceWrites(model: ChannelModel): void {
  const socket = (model.connection as unknown as { stream?: Socket }).stream;
  if (!socket || typeof socket.cork !== 'function') return;
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  let corked = false;
  socket.write = (...args: unknown[]) => {
    if (!corked) {
      corked = true;
      socket.cork();
      process.nextTick(() => {
        corked = false;
        socket.uncork();
      });
    }
    return write(...args);
  };
}
