import type { Channel, ChannelModel } from 'amqplib';

/** Runs `work` on a short-lived channel (for declarations), closing it whatever happens. */
export async function withChannel<T>(
  model: ChannelModel,
  work: (channel: Channel) => Promise<T>,
): Promise<T> {
  const channel = await model.createChannel();
  try {
    return await work(channel);
  } finally {
    await channel.close().catch(() => undefined);
  }
}
