#!/usr/bin/env bash
# Stops or restarts one server of the running stack with the flags it was started with,
# e.g. to prove that work survives an apiserver restart: stack-ctl.sh restart kube-apiserver
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
dir=$(stack_dir)
action=${1:?usage: stack-ctl.sh stop|start|restart NAME}
name=${2:?usage: stack-ctl.sh stop|start|restart NAME}
[ -f "$dir/$name.cmd" ] || die "no server named $name in $dir"

stop_one() {
  local pid; pid=$(pid_of "$name")
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  sed -i "/^$name /d" "$dir/pids"
  log "stopped $name"
}
start_one() {
  # A server killed outside this script (a fault test's SIGKILL) leaves its pid line: replace it.
  local old; old=$(pid_of "$name")
  if [ -n "$old" ]; then
    kill -0 "$old" 2>/dev/null && die "$name is already running (pid $old)"
    sed -i "/^$name /d" "$dir/pids"
  fi
  eval "set -- $(cat "$dir/$name.cmd")"
  start "$name" "$@"
  # keep stack.json's pids current for tests that read them
  local pid; pid=$(pid_of "$name")
  "$(repo_root)/node_modules/.bin/node" -e '
    const f = process.argv[1], s = JSON.parse(require("node:fs").readFileSync(f, "utf8"));
    s.pids[process.argv[2]] = Number(process.argv[3]);
    require("node:fs").writeFileSync(f, JSON.stringify(s, null, 2) + "\n");' "$dir/stack.json" "$name" "$pid"
  if [ "$name" = elasticmq ]; then
    wait_for elasticmq 60 bash "$here/elasticmq.sh" healthy "$(port_of elasticmq)"
  fi
  if [ "$name" = kube-apiserver ]; then
    wait_for kube-apiserver 90 curl -sf --cacert "$dir/pki/ca.crt" \
      -H "Authorization: Bearer $(awk -F, '$2=="admin" {print $1}' "$dir/pki/tokens.csv")" \
      "https://127.0.0.1:$(port_of apiserver)/readyz"
  fi
}
case $action in
  stop) stop_one ;;
  start) start_one ;;
  restart) stop_one; start_one ;;
  *) die "unknown action $action (stop, start or restart)" ;;
esac
