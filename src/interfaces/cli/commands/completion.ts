import { Argument, type Command } from 'commander';
import { ACTOR_ROLES } from '../../../application/actor.js';
import { RUN_STATUSES } from '../../../domain/run/run-status.js';
import { examples } from '../command-kit.js';

/**
 * `sagaflow completion bash|zsh`: a completion script made from the command tree itself, so it
 * always names the commands and options this version has (docs/cli.md#shell-completion).
 */
export function completionCommand(program: Command, print: (text: string) => void): void {
  program
    .command('completion')
    .description('print a shell completion script for bash or zsh')
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(['bash', 'zsh']))
    .addHelpText(
      'after',
      examples(
        'source <(sagaflow completion bash)            # bash, this shell',
        'sagaflow completion zsh > "${fpath[1]}/_sagaflow"   # zsh, for good',
      ),
    )
    .action((shell: 'bash' | 'zsh') => print(shell === 'bash' ? bashScript(program) : zshScript(program)));
}

interface Node {
  /** Space-separated command path below the program: `''`, `runs`, `runs list`. */
  path: string;
  commands: { name: string; description: string }[];
  options: { flag: string; description: string }[];
}

/** Every command of the tree with its subcommands and long options. */
export function commandTree(program: Command): Node[] {
  const nodes: Node[] = [];
  const visit = (command: Command, path: string) => {
    nodes.push({
      path,
      commands: command.commands.map((child) => ({ name: child.name(), description: child.description() })),
      options: [
        ...command.options.flatMap((option) =>
          option.long ? [{ flag: option.long, description: option.description }] : [],
        ),
        { flag: '--help', description: 'show help' },
      ],
    });
    for (const child of command.commands)
      visit(child, path === '' ? child.name() : `${path} ${child.name()}`);
  };
  visit(program, '');
  return nodes;
}

/** Option values worth completing: run statuses, shells, roles. */
const VALUES: Record<string, readonly string[]> = {
  '--status': RUN_STATUSES,
  '--role': ACTOR_ROLES,
};

export function bashScript(program: Command): string {
  const nodes = commandTree(program);
  const name = program.name();
  const words = (node: Node) =>
    [...node.commands.map((c) => c.name), ...node.options.map((o) => o.flag)].join(' ');
  const cases = nodes.map((node) => `    "${node.path}") words="${words(node)}" ;;`).join('\n');
  const values = Object.entries(VALUES)
    .map(([flag, list]) => `    ${flag}) COMPREPLY=($(compgen -W "${list.join(' ')}" -- "$cur")); return ;;`)
    .join('\n');
  const shells = `    completion) COMPREPLY=($(compgen -W "bash zsh" -- "$cur")); return ;;`;
  return `# bash completion for ${name} (sagaflow completion bash)
_${name}_words() {
  case "$1" in
${cases}
    *) words="" ;;
  esac
}

_${name}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmdpath="" word words i
  case "$prev" in
${values}
  esac
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    [[ "$word" == -* ]] && continue
    _${name}_words "$cmdpath"
    if [[ " $words " == *" $word "* ]]; then cmdpath="\${cmdpath:+$cmdpath }$word"; fi
  done
  case "$cmdpath" in
${shells}
  esac
  _${name}_words "$cmdpath"
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}

complete -o default -F _${name} ${name}
`;
}

export function zshScript(program: Command): string {
  const nodes = commandTree(program);
  const name = program.name();
  // `_describe` splits each entry at its first unescaped colon: colons in a name or description are escaped.
  const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
  const entry = (name: string, description: string) =>
    quote(`${name.replace(/:/g, '\\:')}:${description.replace(/:/g, '\\:')}`);
  const cases = nodes
    .map((node) => {
      const entries = [
        ...node.commands.map((c) => entry(c.name, c.description)),
        ...node.options.map((o) => entry(o.flag, o.description)),
      ];
      return `    "${node.path}") entries=(${entries.join(' ')}) ;;`;
    })
    .join('\n');
  const values = Object.entries(VALUES)
    .map(([flag, list]) => `    ${flag}) compadd -- ${list.join(' ')}; return ;;`)
    .join('\n');
  return `#compdef ${name}
# zsh completion for ${name} (sagaflow completion zsh)
_${name}_entries() {
  case "$1" in
${cases}
    *) entries=() ;;
  esac
}

_${name}() {
  local cmdpath="" word
  local -a entries names
  case "\${words[CURRENT-1]}" in
${values}
  esac
  for word in "\${(@)words[2,CURRENT-1]}"; do
    [[ "$word" == -* ]] && continue
    _${name}_entries "$cmdpath"
    names=("\${(@)entries%%:*}")
    if (( \${names[(Ie)$word]} )); then cmdpath="\${cmdpath:+$cmdpath }$word"; fi
  done
  if [[ "$cmdpath" == completion ]]; then compadd -- bash zsh; return; fi
  _${name}_entries "$cmdpath"
  _describe -t commands '${name}' entries
}

if [[ "\${zsh_eval_context[-1]}" == loadautoload ]]; then
  _${name} "$@"
else
  compdef _${name} ${name}
fi
`;
}
