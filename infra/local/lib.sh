# Shared helpers for the local stack scripts (sourced, not run).
log() { printf '[local-stack] %s\n' "$*" >&2; }
die() { printf '[local-stack] error: %s\n' "$*" >&2; exit 1; }

repo_root() { (cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd); }

# The binaries are keyed by the pinned module files, so a version bump builds anew.
binaries_dir() {
  local gomod key
  gomod="$(repo_root)/infra/local/gomod"
  key=$(cat "$gomod"/*/go.mod "$gomod"/*/go.sum | sha256sum | cut -c1-16)
  echo "$(cache_root)/bin/$key"
}

cache_root() { echo "${EJR_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/eks-job-runner}"; }

stack_dir() { echo "${EJR_STACK_DIR:-$(cache_root)/stack}"; }

# Loopback ports of the stack; each can be moved with EJR_PORT_<NAME>.
port_of() {
  local var="EJR_PORT_${1^^}"
  if [ -n "${!var:-}" ]; then echo "${!var}"; return; fi
  case $1 in
    etcd) echo 23790 ;; etcd_peer) echo 23800 ;; apiserver) echo 26443 ;;
    controller_manager) echo 26257 ;; scheduler) echo 26259 ;; kwok) echo 26250 ;; moto) echo 25000 ;;
    elasticmq) echo 25324 ;;
    *) die "unknown port $1" ;;
  esac
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Starts a server in the background, logging to logs/<name>.log; records its pid and its
# command line, so stack-ctl.sh can restart it with the same flags.
start() { # name command...
  local name=$1; shift
  local dir; dir=$(stack_dir)
  printf '%q ' "$@" > "$dir/$name.cmd"
  "$@" >>"$dir/logs/$name.log" 2>&1 &
  echo "$name $!" >> "$dir/pids"
  log "started $name (pid $!)"
}

# Polls a check until it passes, at most `seconds`; on failure shows the log's tail.
wait_for() { # name seconds check...
  local name=$1 seconds=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      local logf; logf="$(stack_dir)/logs/${name%% *}.log"
      [ -f "$logf" ] && tail -n 20 "$logf" >&2
      die "$name did not become healthy within ${seconds}s (log: $logf)"
    fi
    sleep 0.3
  done
}

pid_of() { awk -v n="$1" '$1==n {print $2}' "$(stack_dir)/pids" 2>/dev/null; }

# Healthy: every recorded server alive and the apiserver ready.
stack_healthy() {
  local dir; dir=$(stack_dir)
  [ -f "$dir/stack.json" ] && [ -f "$dir/pids" ] || return 1
  local name pid
  while read -r name pid; do kill -0 "$pid" 2>/dev/null || return 1; done < "$dir/pids"
  curl -sf --cacert "$dir/pki/ca.crt" -H "Authorization: Bearer $(awk -F, '$2=="admin" {print $1}' "$dir/pki/tokens.csv")" \
    "https://127.0.0.1:$(port_of apiserver)/readyz" >/dev/null 2>&1
}
