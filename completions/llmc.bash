# bash completion for llmc. Generated from the command tree by `llmc completion bash`; do not edit.
_llmc_path() {
  local path="" skip=0 w i
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="${COMP_WORDS[i]}"
    if ((skip)); then skip=0; continue; fi
    case "$w" in
      --access-token-ttl|--admin-token-env|--audience|--client-id|--client-secret-env|--clock-url|--config|--gateway|--home|--id-token-env|--id-token-file|--id-token-ttl|--issuer|--min-valid|--port|--profile|--provider|--refresh-token-ttl|--scope|--subject|--tenant|--url) skip=1; continue ;;
      -*) continue ;;
    esac
    case "${path:+$path }$w" in
      'auth') path="auth" ;;
      'auth login') path="auth login" ;;
      'auth status') path="auth status" ;;
      'auth token') path="auth token" ;;
      'auth logout') path="auth logout" ;;
      'config') path="config" ;;
      'config get') path="config get" ;;
      'config set') path="config set" ;;
      'config unset') path="config unset" ;;
      'config list') path="config list" ;;
      'config path') path="config path" ;;
      'config edit') path="config edit" ;;
      'doctor') path="doctor" ;;
      'dev') path="dev" ;;
      'dev idp') path="dev idp" ;;
      'gateway') path="gateway" ;;
      'gateway serve') path="gateway serve" ;;
      'gateway token') path="gateway token" ;;
      'gateway token revoke') path="gateway token revoke" ;;
      'gateway tokens') path="gateway tokens" ;;
      'gateway tokens revoke') path="gateway tokens revoke" ;;
      'gateway tokens list') path="gateway tokens list" ;;
      'completion') path="completion" ;;
    esac
  done
  printf '%s' "$path"
}
_llmc() {
  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" words=""
  case "$prev" in
    --access-token-ttl|--admin-token-env|--audience|--client-id|--client-secret-env|--clock-url|--config|--gateway|--home|--id-token-env|--id-token-file|--id-token-ttl|--issuer|--min-valid|--port|--profile|--provider|--refresh-token-ttl|--scope|--subject|--tenant|--url) COMPREPLY=(); compopt -o default 2>/dev/null; return ;;
  esac
  case "$(_llmc_path)" in
    '') words='auth config doctor dev gateway completion --version --json --profile --home --quiet -q --verbose -v --no-color --help' ;;
    'auth') words='login status token logout --json --profile --home --quiet -q --verbose -v --no-color --help' ;;
    'auth login') words='--provider --issuer --client-id --client-secret-env --tenant --scope --no-browser --device --port --no-keyring --gateway --audience --id-token-env --id-token-file --json --profile --home --quiet -q --verbose -v --no-color --help' ;;
    'auth status') words='--json --profile --home --quiet -q --verbose -v --no-color --help' ;;
    'auth token') words='--id-token --gateway --scope --min-valid --no-keyring --json --profile --home --quiet -q --verbose -v --no-color --help' ;;
    'auth logout') words='--all --revoke --gateway --json --profile --home --quiet -q --verbose -v --no-color --help' ;;
    'config') words='get set unset list path edit --json --profile --home --quiet -q --verbose -v --no-color --help' ;;
    'config get') words='--json --profile --home --quiet -q --verbose -v --no-color --help' ;;
    'config set') words='--json --profile --home --quiet -q --verbose -v --no-color --help' ;;
    'config unset') words='--json --profile --home --quiet -q --verbose -v --no-color --help' ;;
    'config list') words='--json --profile --home --quiet -q --verbose -v --no-color --help' ;;
    'config path') words='--json --profile --home --quiet -q --verbose -v --no-color --help' ;;
    'config edit') words='--json --profile --home --quiet -q --verbose -v --no-color --help' ;;
    'doctor') words='--fix --clock-url --json --profile --home --quiet -q --verbose -v --no-color --help' ;;
    'dev') words='idp --json --profile --home --quiet -q --verbose -v --no-color --help' ;;
    'dev idp') words='--port --access-token-ttl --id-token-ttl --refresh-token-ttl --json --profile --home --quiet -q --verbose -v --no-color --help' ;;
    'gateway') words='serve token tokens --json --profile --home --quiet -q --verbose -v --no-color --help' ;;
    'gateway serve') words='--config --json --profile --home --quiet -q --verbose -v --no-color --help' ;;
    'gateway token') words='revoke --json --profile --home --quiet -q --verbose -v --no-color --help' ;;
    'gateway token revoke') words='--url --admin-token-env --json --profile --home --quiet -q --verbose -v --no-color --help' ;;
    'gateway tokens') words='revoke list --json --profile --home --quiet -q --verbose -v --no-color --help' ;;
    'gateway tokens revoke') words='--subject --issuer --url --admin-token-env --json --profile --home --quiet -q --verbose -v --no-color --help' ;;
    'gateway tokens list') words='--subject --issuer --url --admin-token-env --json --profile --home --quiet -q --verbose -v --no-color --help' ;;
    'completion') words='bash zsh fish --json --profile --home --quiet -q --verbose -v --no-color --help' ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _llmc llmc
