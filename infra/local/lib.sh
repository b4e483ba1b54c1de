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
