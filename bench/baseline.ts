/**
 * The "old build" of `BENCH_BASELINE=<git ref> npm run bench`: the ref's tree, exported with
 * `git archive` into a directory of its own, compiled with this project's TypeScript and
 * node_modules, so that its W1 pass can run beside this build's in the same bench run (see
 * bench.ts). A ref compiled once is reused by later runs.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface Baseline {
  /** The commit the ref named when the bench started. */
  commit: string;
  /** Starts one W1 pass of the old build, like `spawnScript('w1-pass', env)` does for this one. */
  spawnPass: (env: Record<string, string>) => ChildProcess;
}

export function prepareBaseline(ref: string): Baseline {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: projectRoot, encoding: 'utf8' }).trim();
  const commit = git('rev-parse', '--verify', `${ref}^{commit}`);
  const dir = join(tmpdir(), `sagaflow-baseline-${commit.slice(0, 12)}`);
  const pass = join(dir, 'dist', 'bench', 'w1-pass.js');
  if (!existsSync(pass)) {
    console.log(`baseline: exporting and compiling ${ref} (${commit.slice(0, 12)}) in ${dir}`);
    mkdirSync(dir, { recursive: true });
    execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C "${dir}"`], { cwd: projectRoot });
    if (!existsSync(join(dir, 'node_modules')))
      symlinkSync(join(projectRoot, 'node_modules'), join(dir, 'node_modules'));
    const tsc = join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: dir, stdio: 'inherit' });
  }
  return {
    commit,
    spawnPass: (env) =>
      spawn(process.execPath, [pass], {
        cwd: dir,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
  };
}
