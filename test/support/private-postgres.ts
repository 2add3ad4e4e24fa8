import { execFile } from 'node:child_process';
import { appendFile, chown, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const run = promisify(execFile);

/**
 * A PostgreSQL server of one test file's own (its own cluster, port and socket directory under
 * /tmp), so a test can kill "the database" without touching the shared server on 5432 (and its
 * replica on 5433) that other suites use. It uses the machine's `initdb`, `pg_ctl` and
 * `pg_isready` from /usr/lib/postgresql/<version>/bin; PostgreSQL refuses to run as root, so from
 * root every one of them runs as the OS user `postgres` (`runuser`), which then owns the
 * directory. Trust authentication for user `postgres`, listening on 127.0.0.1 only.
 * `remove()`, which the test's afterAll must call (it is idempotent), stops the server and
 * deletes its directory; nothing else is ever stopped.
 */
export class PrivatePostgres {
  private removed = false;

  private constructor(
    readonly port: number,
    private readonly base: string,
    private readonly bin: string,
    private readonly owner: { uid: number; gid: number } | null,
  ) {}

  static async start(): Promise<PrivatePostgres> {
    const id = `sftest-pg-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const owner = process.getuid?.() === 0 ? await postgresIds() : null;
    const server = new PrivatePostgres(await freePort(), join('/tmp', id), await binDirectory(), owner);
    try {
      await server.prepare();
      await server.resume();
    } catch (error) {
      await server.remove();
      throw error;
    }
    return server;
  }

  /** A connection URL for `database` on this server (Sagaflow creates a missing one on start). */
  url(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** Starts the server (again, on the same port and data) and waits until `pg_isready` answers. */
  async resume(): Promise<void> {
    if (this.removed) throw new Error('private PostgreSQL already removed');
    if (!(await this.running())) {
      try {
        // -w: wait until the postmaster accepts connections (after crash recovery, if any).
        await this.pg('pg_ctl', ['start', '-D', this.data, '-l', this.log, '-w', '-t', '60']);
      } catch (error) {
        const log = await readFile(this.log, 'utf8').catch(() => '');
        throw new Error(
          `private PostgreSQL on ${this.port} did not start: ${String(error)}\n${log.slice(-2000)}`,
          {
            cause: error,
          },
        );
      }
    }
    for (;;) {
      try {
        await this.pg('pg_isready', ['-q', '-h', '127.0.0.1', '-p', String(this.port), '-U', 'postgres']);
        return;
      } catch {
        await sleep(100);
      }
    }
  }

  /**
   * `pg_ctl stop -m immediate`: the postmaster SIGQUITs every backend and exits without a
   * checkpoint, so open connections break mid-statement and the next start runs crash
   * recovery from the WAL. Waits until the postmaster has exited.
   */
  async stopImmediate(): Promise<void> {
    if (!(await this.running())) return;
    await this.pg('pg_ctl', ['stop', '-D', this.data, '-m', 'immediate', '-w', '-t', '60']);
  }

  /** Stops the server (fast shutdown), killing it if it does not stop, and deletes its files. */
  async remove(): Promise<void> {
    if (this.removed) return;
    this.removed = true;
    try {
      if (await this.running()) {
        await this.pg('pg_ctl', ['stop', '-D', this.data, '-m', 'fast', '-w', '-t', '30'])
          .catch(() => this.pg('pg_ctl', ['stop', '-D', this.data, '-m', 'immediate', '-w', '-t', '30']))
          .catch(() => this.killPostmaster());
      }
    } finally {
      await rm(this.base, { recursive: true, force: true });
    }
  }

  private get data(): string {
    return join(this.base, 'data');
  }

  private get socket(): string {
    return join(this.base, 'socket');
  }

  private get log(): string {
    return join(this.base, 'postgres.log');
  }

  private async prepare(): Promise<void> {
    await mkdir(this.socket, { recursive: true });
    if (this.owner) {
      await chown(this.base, this.owner.uid, this.owner.gid);
      await chown(this.socket, this.owner.uid, this.owner.gid);
    }
    // --no-sync: the cluster is thrown away with the test, nothing needs to reach the disk.
    await this.pg('initdb', [
      '-D',
      this.data,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
      '--no-instructions',
    ]);
    // The data directory's own postgresql.conf (written by initdb, owned by postgres): the
    // settings survive stopImmediate()/resume(), which just run `pg_ctl start` again.
    await appendFile(
      join(this.data, 'postgresql.conf'),
      [
        '',
        '# PrivatePostgres (test/support/private-postgres.ts)',
        `port = ${this.port}`,
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${this.socket}'`,
        // fsync=off only matters if the machine itself crashes: written pages stay in the OS page
        // cache when the server's processes die, so an immediate stop (the fault under test) loses
        // nothing that committed. A test server needs no power-loss safety, and it saves time.
        // synchronous_commit stays on: turned off, a commit could be acknowledged before its WAL
        // was written, and an immediate stop would then really lose it.
        'fsync = off',
        '',
      ].join('\n'),
    );
  }

  private async running(): Promise<boolean> {
    try {
      await this.pg('pg_ctl', ['status', '-D', this.data]);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The last resort of remove(): SIGKILL the postmaster named in postmaster.pid (its backends
   * notice the postmaster's death and exit on their own).
   */
  private async killPostmaster(): Promise<void> {
    try {
      const pid = Number((await readFile(join(this.data, 'postmaster.pid'), 'utf8')).split('\n')[0]);
      if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGKILL');
      await sleep(500);
    } catch {
      // No pid file or no such process: already gone.
    }
  }

  /** Runs one of the server's binaries, as `postgres` when this process is root. */
  private async pg(command: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
    const path = join(this.bin, command);
    const [file, argv] = this.owner ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
    // cwd: a directory `postgres` may enter (initdb and pg_ctl complain about one they cannot).
    return run(file, argv, { cwd: this.base, timeout: 90_000 });
  }
}

/** /usr/lib/postgresql/<version>/bin of the newest installed version. */
async function binDirectory(): Promise<string> {
  const root = '/usr/lib/postgresql';
  const versions = (await readdir(root))
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error(`no PostgreSQL version under ${root}`);
  return join(root, versions[0]!, 'bin');
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([
    run('id', ['-u', 'postgres']).then((r) => Number(r.stdout.trim())),
    run('id', ['-g', 'postgres']).then((r) => Number(r.stdout.trim())),
  ]);
  return { uid, gid };
}
