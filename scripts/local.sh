#!/usr/bin/env bash
# The main job, locally: installs what is missing, builds the Lambda bundles, starts the
# local stack, and runs the submit and reconcile functions on it until Ctrl-C.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-deps.sh
node=node_modules/.bin/node
"$node" scripts/build-bundles.ts
bash infra/local/stack-up.sh
cat >&2 <<'TXT'

The local stack is up and the functions run on it (Ctrl-C stops them; npm run stack:down
stops the stack). In another terminal:

  send a job:      npm run job:send -- docs/examples/one-shot.json
  read its record: npm run job:get -- <jobId>
  watch the Job:   npm run kubectl -- get jobs,pods -n jobs

TXT
# The example policy allows the example requests; set JOB_POLICY or JOB_POLICY_FILE for another.
[ -n "${JOB_POLICY:-}" ] || export JOB_POLICY_FILE="${JOB_POLICY_FILE:-$PWD/docs/examples/policy.json}"
exec "$node" infra/local/runtime/main.ts "$@"
