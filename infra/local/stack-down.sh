#!/usr/bin/env bash
# Stops every server the local stack started, by process id, newest first.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
dir=$(stack_dir)
if [ ! -f "$dir/pids" ]; then
  log "the local stack is not running"
  exit 0
fi
mapfile -t entries < <(tac "$dir/pids")
for entry in "${entries[@]}"; do
  read -r name pid <<<"$entry"
  kill "$pid" 2>/dev/null && log "stopping $name (pid $pid)" || true
done
for entry in "${entries[@]}"; do
  read -r name pid <<<"$entry"
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
done
rm -f "$dir/pids" "$dir/stack.json"
log "the local stack is stopped"
