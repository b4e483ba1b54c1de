#!/usr/bin/env bash
# Creates (once) a venv with the pinned Python tools and prints its bin directory.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
command -v python3 >/dev/null || die "python3 is not installed: moto and cfn-lint run from a Python venv (python >= 3.9)"
key=$(sha256sum "$here/requirements.txt" | cut -c1-16)
venv="$(cache_root)/venv/$key"
if [ ! -x "$venv/bin/moto_server" ]; then
  log "creating the Python venv for moto and cfn-lint in $venv (first run only)"
  rm -rf "$venv"
  python3 -m venv "$venv" || die "python3 -m venv failed: install the venv module (apt-get install python3-venv)"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt" >&2 \
    || die "pip install of infra/local/requirements.txt failed"
fi
echo "$venv/bin"
