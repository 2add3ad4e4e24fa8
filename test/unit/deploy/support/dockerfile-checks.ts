export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  name: string | null;
  image: string;
  instructions: Instruction[];
}

/** Instructions of a Dockerfile (continuations joined, comments and the parser directive dropped). */
export function instructions(text: string): Instruction[] {
  const joined = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

/** Build stages, with `${ARG}` in FROM replaced by the default of an ARG declared before the first FROM. */
export function stages(text: string): Stage[] {
  const globalArgs = new Map<string, string>();
  const result: Stage[] = [];
  for (const instruction of instructions(text)) {
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = instruction.args.split(/\s+/);
      const resolved = image.replace(
        /\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g,
        (_m, arg: string) => globalArgs.get(arg) ?? '',
      );
      result.push({
        name: as?.toUpperCase() === 'AS' ? (name ?? null) : null,
        image: resolved,
        instructions: [],
      });
    } else if (result.length === 0 && instruction.keyword === 'ARG') {
      const [arg, value = ''] = instruction.args.split('=');
      globalArgs.set(arg!, value);
    } else {
      result.at(-1)?.instructions.push(instruction);
    }
  }
  return result;
}

function runs(stage: Stage): string[] {
  return stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
}

function last(stage: Stage, keyword: string): Instruction | undefined {
  return stage.instructions.filter((i) => i.keyword === keyword).at(-1);
}

/** An exec-form argument list, normalised; null for the shell form. */
function execForm(args: string): string | null {
  try {
    return JSON.stringify(JSON.parse(args));
  } catch {
    return null;
  }
}

/**
 * The runtime stage (the last one) is Node 24, runs as a non-root user with NODE_ENV=production,
 * has a health check, starts `node dist/src/main.js`, and takes node_modules from a stage that
 * built with `npm install` and then dropped the dev dependencies (which include the `node` package).
 */
export function dockerfileProblems(text: string): string[] {
  const all = stages(text);
  const runtime = all.at(-1);
  if (!runtime || all.length < 2) return ['not a multi-stage build'];
  const problems: string[] = [];
  if (!/^node:24([.-]|$)/.test(runtime.image))
    problems.push(`runtime image "${runtime.image}" is not Node 24`);

  const user = last(runtime, 'USER')?.args.split(':')[0];
  if (!user || user === 'root' || user === '0') problems.push(`runtime runs as ${user ?? 'root (no USER)'}`);

  const env = runtime.instructions.filter((i) => i.keyword === 'ENV').map((i) => i.args);
  if (!env.some((args) => /(^|\s)NODE_ENV[= ]"?production"?(\s|$)/.test(args))) {
    problems.push('runtime does not set NODE_ENV=production');
  }

  const cmd = last(runtime, 'CMD')?.args;
  if (cmd === undefined || execForm(cmd) !== '["node","dist/src/main.js"]') {
    problems.push(`runtime CMD is ${cmd ?? 'missing'}, not ["node","dist/src/main.js"]`);
  }
  const healthcheck = last(runtime, 'HEALTHCHECK')?.args;
  if (!healthcheck || /^NONE\b/i.test(healthcheck)) problems.push('runtime has no HEALTHCHECK');

  if (runs(runtime).some((run) => /\bnpm (install|ci|i)\b/.test(run))) {
    problems.push('runtime stage installs packages itself');
  }
  const copy = runtime.instructions.find((i) => i.keyword === 'COPY' && /\bnode_modules\b/.test(i.args));
  const from = /--from=(\S+)/.exec(copy?.args ?? '')?.[1];
  const source = all.find((stage) => stage.name === from);
  if (!source) {
    problems.push('runtime does not copy node_modules from a build stage');
  } else {
    const commands = runs(source);
    const install = commands.findIndex((run) => /\bnpm install\b/.test(run) && !/--omit=dev/.test(run));
    const prune = commands.findIndex((run) => /\bnpm (prune|install)\b.*--omit=dev/.test(run));
    if (install < 0) problems.push(`stage ${from} does not run npm install`);
    if (!commands.some((run) => /\bnpm run build\b/.test(run))) problems.push(`stage ${from} does not build`);
    if (prune < install || prune < 0) problems.push(`stage ${from} keeps the dev dependencies`);
  }
  if (all.some((stage) => runs(stage).some((run) => /\bnpm ci\b/.test(run)))) {
    problems.push('uses npm ci (the lockfile is out of sync for it: docs/architecture.md#toolchain-facts)');
  }
  return problems;
}

/** Paths the runtime stage copies from the build context (not from another stage). */
export function contextCopies(text: string): string[] {
  const runtime = stages(text).at(-1);
  return (runtime?.instructions ?? [])
    .filter((i) => i.keyword === 'COPY' && !i.args.includes('--from='))
    .flatMap((i) =>
      i.args
        .split(/\s+/)
        .filter((arg) => !arg.startsWith('--'))
        .slice(0, -1),
    );
}
