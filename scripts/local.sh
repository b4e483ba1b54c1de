#!/usr/bin/env bash
# The main job, locally: installs what is missing, builds the Lambda bundles, starts the
# local stack, and runs the submit, reconcile and publish functions on it until Ctrl-C.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-deps.sh
node=node_modules/.bin/node
"$node" scripts/build-bundles.ts
bash infra/local/stack-up.sh
cat >&2 <<'TXT'

The local stack is up and the functions run on it (Ctrl-C stops them; npm run stack:down
stops the stack). In another terminal:

  run a job:       npx ejr submit docs/examples/one-shot.json --local --wait
  read its record: npx ejr get <jobId> --local      (and: ejr logs, ejr list, ejr cancel)
  watch the Job:   npm run kubectl -- get jobs,pods -n jobs

TXT
# The example policy allows the example requests; set JOB_POLICY or JOB_POLICY_FILE for another.
[ -n "${JOB_POLICY:-}" ] || export JOB_POLICY_FILE="${JOB_POLICY_FILE:-$PWD/docs/examples/policy.json}"
exec "$node" infra/local/runtime/main.ts "$@"
