import type { Command, Option } from 'commander';

/**
 * Shell completion scripts generated from the commander tree, so every command
 * and flag appears without hand edits. All three shells share one table:
 * command path → subcommands and flags (with descriptions), plus the flags
 * that take a value (whose next word is not a command).
 */

export const shells = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof shells)[number];

interface Node {
  path: string;
  commands: Array<[string, string]>;
  flags: Array<[string, string]>;
}

function visibleCommands(command: Command): Command[] {
  return command.commands.filter((sub) => !(sub as unknown as { _hidden?: boolean })._hidden);
}

function flagsOf(command: Command): Array<[string, string]> {
  const flags: Array<[string, string]> = [];
  for (const option of command.options as readonly Option[]) {
    if (option.hidden) continue;
    for (const flag of [option.long, option.short]) if (flag) flags.push([flag, option.description]);
  }
  if (!flags.some(([flag]) => flag === '--help')) flags.push(['--help', 'show help']);
  return flags;
}

function collect(command: Command, path: string, globals: Array<[string, string]>, out: Node[]): void {
  const subcommands = visibleCommands(command).filter((sub) => sub.name() !== 'help' || path === '');
  const own = flagsOf(command);
  const flags = path === '' ? own : [...own.filter(([flag]) => !globals.some(([g]) => g === flag)), ...globals];
  const choices = command.registeredArguments.flatMap((argument) =>
    (argument.argChoices ?? []).map((choice): [string, string] => [choice, argument.description || argument.name()]),
  );
  out.push({
    path,
    commands: [...subcommands.map((sub): [string, string] => [sub.name(), sub.description()]), ...choices],
    flags,
  });
  for (const sub of subcommands) collect(sub, path ? `${path} ${sub.name()}` : sub.name(), globals, out);
}

function valueFlags(command: Command, out: Set<string>): Set<string> {
  for (const option of command.options as readonly Option[]) {
    if (option.required || option.optional) for (const flag of [option.long, option.short]) if (flag) out.add(flag);
  }
  for (const sub of command.commands) valueFlags(sub, out);
  return out;
}

function table(program: Command): { nodes: Node[]; takesValue: string[] } {
  const globals = flagsOf(program).filter(([flag]) => flag !== '--version');
  const nodes: Node[] = [];
  collect(program, '', globals, nodes);
  return { nodes, takesValue: [...valueFlags(program, new Set())].sort() };
}

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

export function generateCompletion(program: Command, shell: Shell): string {
  const { nodes, takesValue } = table(program);
  const name = program.name();
  const fn = `_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  if (shell === 'bash') {
    const cases = nodes
      .map(
        (node) =>
          `    ${quote(node.path)}) words=${quote([...node.commands.map(([c]) => c), ...node.flags.map(([f]) => f)].join(' '))} ;;`,
      )
      .join('\n');
    return `# bash completion for ${name}. Generated from the command tree by \`${name} completion bash\`; do not edit.
${fn}_path() {
  local path="" skip=0 w i
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if ((skip)); then skip=0; continue; fi
    case "$w" in
      ${takesValue.join('|')}) skip=1; continue ;;
      -*) continue ;;
    esac
    case "\${path:+$path }$w" in
${nodes
  .filter((node) => node.path !== '')
  .map((node) => `      ${quote(node.path)}) path="${node.path}" ;;`)
  .join('\n')}
    esac
  done
  printf '%s' "$path"
}
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" words=""
  case "$prev" in
    ${takesValue.join('|')}) COMPREPLY=(); compopt -o default 2>/dev/null; return ;;
  esac
  case "$(${fn}_path)" in
${cases}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F ${fn} ${name}
`;
  }
  if (shell === 'zsh') {
    const cases = nodes
      .map((node) => {
        const commands = node.commands.map(([c, d]) => quote(`${c}:${d.replace(/:/g, '\\:')}`)).join(' ');
        const flags = node.flags.map(([f, d]) => quote(`${f}:${d.replace(/:/g, '\\:')}`)).join(' ');
        return `    ${quote(node.path)}) commands=(${commands}); flags=(${flags}) ;;`;
      })
      .join('\n');
    return `#compdef ${name}
# zsh completion for ${name}. Generated from the command tree by \`${name} completion zsh\`; do not edit.
${fn}() {
  local path="" skip=0 w i
  local -a commands flags
  for ((i = 2; i < CURRENT; i++)); do
    w="\${words[i]}"
    if ((skip)); then skip=0; continue; fi
    case "$w" in
      ${takesValue.join('|')}) skip=1; continue ;;
      -*) continue ;;
    esac
    case "\${path:+$path }$w" in
${nodes
  .filter((node) => node.path !== '')
  .map((node) => `      ${quote(node.path)}) path="${node.path}" ;;`)
  .join('\n')}
    esac
  done
  case "\${words[CURRENT-1]}" in
    ${takesValue.join('|')}) _files; return ;;
  esac
  case "$path" in
${cases}
  esac
  if [[ "\${words[CURRENT]}" == -* ]]; then
    _describe -t flags 'flag' flags
  else
    _describe -t commands 'command' commands
  fi
}
if [[ "$funcstack[1]" == "${fn}" ]]; then ${fn} "$@"; else compdef ${fn} ${name}; fi
`;
  }
  const cases = nodes
    .map((node) => {
      const lines = [...node.commands, ...node.flags].map(
        ([c, d]) => `            printf '%s\\t%s\\n' ${quote(c)} ${quote(d)}`,
      );
      return `        case ${quote(node.path)}\n${lines.join('\n')}`;
    })
    .join('\n');
  return `# fish completion for ${name}. Generated from the command tree by \`${name} completion fish\`; do not edit.
function __${fn.slice(1)}_complete
    set -l tokens (commandline -opc)
    set -l path ''
    set -l skip 0
    for w in $tokens[2..-1]
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $w
            case ${takesValue.map(quote).join(' ')}
                set skip 1
                continue
            case '-*'
                continue
        end
        set -l next (string trim -- "$path $w")
        switch $next
            case ${nodes
              .filter((node) => node.path !== '')
              .map((node) => quote(node.path))
              .join(' ')}
                set path $next
        end
    end
    switch $path
${cases}
    end
end
complete -c ${name} -f -a '(__${fn.slice(1)}_complete)'
`;
}
