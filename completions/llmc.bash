# bash completion for llmc. Generated from the command tree by `llmc completion bash`; do not edit.
_llmc_path() {
  local path="" skip=0 w i
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="${COMP_WORDS[i]}"
    if ((skip)); then skip=0; continue; fi
    case "$w" in
      --clock-url|--home|--profile) skip=1; continue ;;
      -*) continue ;;
    esac
    case "${path:+$path }$w" in
      'config') path="config" ;;
      'config get') path="config get" ;;
      'config set') path="config set" ;;
      'config unset') path="config unset" ;;
      'config list') path="config list" ;;
      'config path') path="config path" ;;
      'config edit') path="config edit" ;;
      'doctor') path="doctor" ;;
      'completion') path="completion" ;;
    esac
  done
  printf '%s' "$path"
}
_llmc() {
  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" words=""
  case "$prev" in
    --clock-url|--home|--profile) COMPREPLY=(); compopt -o default 2>/dev/null; return ;;
  esac
  case "$(_llmc_path)" in
    '') words='config doctor completion --version --json --profile --home --quiet -q --verbose -v --no-color --help' ;;
    'config') words='get set unset list path edit --json --profile --home --quiet -q --verbose -v --no-color --help' ;;
    'config get') words='--json --profile --home --quiet -q --verbose -v --no-color --help' ;;
    'config set') words='--json --profile --home --quiet -q --verbose -v --no-color --help' ;;
    'config unset') words='--json --profile --home --quiet -q --verbose -v --no-color --help' ;;
    'config list') words='--json --profile --home --quiet -q --verbose -v --no-color --help' ;;
    'config path') words='--json --profile --home --quiet -q --verbose -v --no-color --help' ;;
    'config edit') words='--json --profile --home --quiet -q --verbose -v --no-color --help' ;;
    'doctor') words='--fix --clock-url --json --profile --home --quiet -q --verbose -v --no-color --help' ;;
    'completion') words='bash zsh fish --json --profile --home --quiet -q --verbose -v --no-color --help' ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _llmc llmc
