#!/usr/bin/env bash
# The test command: builds the bundles (failing when one is over its size budget), starts the
# local stack unless one is up (and then stops it again), and runs the unit and integration
# tests in one node --test run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-deps.sh
node=node_modules/.bin/node
"$node" scripts/build-bundles.ts

. infra/local/lib.sh
if ! stack_healthy; then
  bash infra/local/stack-up.sh
  trap 'bash infra/local/stack-down.sh' EXIT
fi
# One file at a time: the integration tests share one cluster, and some stop its apiserver.
"$node" --test --test-concurrency=1 "$@" 'test/unit/**/*.test.ts' 'test/integration/**/*.test.ts'
