#!/usr/bin/env bash
# kubectl of the pinned version against the local stack, as its admin.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
exec "$(binaries_dir)/kubectl" --kubeconfig "$(stack_dir)/admin.kubeconfig" "$@"
