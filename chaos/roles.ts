/**
 * The chaos harness's role processes: each is `dist/src/main.js` with its own `SAGAFLOW_ROLES`,
 * configured through the environment exactly as in production. The harness is their supervisor:
 * it kills, freezes and restarts them, and restarts one that exits on its own (as systemd or
 * Kubernetes would), counting those exits for the report.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = resolve(fileURLToPath(new URL('.', import.meta.url)), '../src/main.js');
const READY = /sagaflow \S+ running roles/;
const TAIL = 6_000;

export interface RoleSpec {
  name: string;
  roles: string[];
  env: Record<string, string>;
  /** A command prefix, e.g. `ip netns exec <ns>`. */
  prefix?: string[];
}

export class RoleProcess {
  private child: ChildProcess | null = null;
  private expectingExit = false;
  private output = '';
  /** Exits nobody asked for (the process died by itself). */
  unexpectedExits = 0;
  restarts = 0;
  frozen = false;

  constructor(readonly spec: RoleSpec) {}

  get alive(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get tail(): string {
    return this.output;
  }

  /** Spawns the process and resolves once it printed its start line (every role running). */
  async start(timeoutMs = 90_000): Promise<void> {
    const argv = [...(this.spec.prefix ?? []), process.execPath, MAIN];
    const child = spawn(argv[0]!, argv.slice(1), {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...this.spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.expectingExit = false;
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-TAIL);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('exit', (code, signal) => {
      if (this.child !== child || this.expectingExit) return;
      this.unexpectedExits += 1;
      console.log(`chaos: ${this.spec.name} exited by itself (code ${code}, signal ${signal}); restarting`);
      void this.restart().catch((error: unknown) =>
        console.log(`chaos: restart of ${this.spec.name} failed: ${String(error)}`),
      );
    });
    await new Promise<void>((resolveReady, reject) => {
      let seen = '';
      const timer = setTimeout(
        () => reject(new Error(`${this.spec.name} not ready in ${timeoutMs} ms:\n${this.output}`)),
        timeoutMs,
      );
      const onData = (chunk: Buffer) => {
        seen += chunk.toString('utf8');
        if (READY.test(seen)) {
          clearTimeout(timer);
          child.stdout.off('data', onData);
          resolveReady();
        }
      };
      child.stdout.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(
          new Error(`${this.spec.name} exited before it was ready (${code ?? signal}):\n${this.output}`),
        );
      });
    });
  }

  /** `kill -9`: no shutdown hook, nothing acked, leases left to expire. */
  async kill9(): Promise<void> {
    await this.signalAndWait('SIGKILL');
  }

  /** SIGSTOP: frozen as in a long GC pause, sockets open, timers behind. */
  freeze(): void {
    if (!this.alive) return;
    this.child!.kill('SIGSTOP');
    this.frozen = true;
  }

  thaw(): void {
    if (!this.frozen) return;
    this.child?.kill('SIGCONT');
    this.frozen = false;
  }

  /** Starts the process again, retrying while the services it needs are coming back. */
  async restart(): Promise<void> {
    this.restarts += 1;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.start();
        return;
      } catch (error) {
        if (attempt >= 5) throw error;
        await new Promise((r) => setTimeout(r, 2_000));
      }
    }
  }

  /** Graceful stop (SIGTERM, then SIGKILL after `graceMs`). */
  async stop(graceMs = 10_000): Promise<void> {
    this.thaw();
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await this.signalAndWait('SIGTERM');
    clearTimeout(timer);
  }

  private async signalAndWait(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (child === null || !this.alive) return;
    this.expectingExit = true;
    const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
    if (this.frozen && signal !== 'SIGKILL') child.kill('SIGCONT');
    child.kill(signal);
    this.frozen = false;
    await exited;
  }
}
