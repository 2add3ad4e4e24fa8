import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Runs a compiled bench script (`dist/bench/<name>.js`) as a child on this Node binary. */
export function spawnScript(
  name: string,
  env: Record<string, string>,
  options: { stdin?: boolean; nodeFlags?: string[] } = {},
): ChildProcess {
  const script = fileURLToPath(new URL(`./${name}.js`, import.meta.url));
  return spawn(process.execPath, [...(options.nodeFlags ?? []), script], {
    env: { ...process.env, ...env },
    stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'inherit'],
  });
}

/** Resolves with the first stdout line satisfying `accept`; rejects if the child exits first. */
export function lineFrom(
  child: ChildProcess,
  accept: (line: string) => boolean = () => true,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      const found = lines.find(accept);
      if (found !== undefined) {
        child.stdout?.off('data', onData);
        resolve(found);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`bench child exited (${code}) before reporting`)));
  });
}

/** Resident set size of a process from /proc/<pid>/status (VmRSS), MB; null once it has gone. */
export function procRssMb(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? null : Number(kb) / 1024;
  } catch {
    return null;
  }
}
