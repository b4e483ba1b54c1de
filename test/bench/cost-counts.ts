// The counts behind docs/cost.md, measured on the local stack (the bundles are built here, as deployed):
//
//   node_modules/.bin/node test/bench/cost-counts.ts [--n=200] [--duration=2s] [--quota=0]
//                                                    [--reconcile-window=50] [--max-minutes=20]
//
// N jobs (default 200, each a pod that succeeds after --duration; with --quota, the owner's
// maxActiveJobs, so that admission's transactions are counted too) go through the three functions as
// deployed (their bundles in the local runtime, one runtime per function, each with its own access key
// id) behind a recording proxy in front of the local AWS, as test/integration/iam/enforced.test.ts runs
// them. Once every record is terminal and the events stop, it prints and writes (bench-results/
// cost-counts.json, EJR_BENCH_OUT moves it) per job:
//   - AWS calls by function and operation (DynamoDB PutItem, TransactWriteItems, BatchGetItem, Query,
//     GetItem; SQS ReceiveMessage, DeleteMessageBatch; EventBridge PutEvents and its entries; the
//     stream's GetRecords), and the DynamoDB write and read units computed from each call's items
//     (test/bench/cost-model.ts capacityOf: sizes as DynamoDB counts them, indexes included);
//   - reconcile's Kubernetes calls, from the stats of its `reconciled` log lines (submit's one create
//     a job is not counted by the function: read off the code);
//   - invocations and duration per function, from the runtime's invocation reports (local durations:
//     moto and a laptop, not Lambda's; the reconcile window dominates its own);
//   - the functions' log bytes at the deployed level (INFO, metrics on).
// The figures hold `counts` (cost-model.ts CostCounts) and the cost tables for 1M jobs a day.

import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { functionAccessKeyId } from '../../infra/local/aws/client-config.ts';
import { isTerminal } from '../../shared/core/job/state.ts';
import { mapPool } from '../../shared/runtime/pool.ts';
import {
  buildBundles,
  createQueues,
  type Runtime,
  sendAll,
  startRuntime,
} from '../integration/submit/pipeline.ts';
import { EXAMPLE_POLICY_FILE, getRecord, stack, uid } from '../integration/submit/support.ts';
import { type RecordedCall, startRecordingProxy } from '../support/iam/recording-proxy.ts';
import {
  type CostCounts,
  callsTable,
  capacityOf,
  costTable,
  DEFAULT_WORKLOAD,
  dailyCost,
  entriesOf,
  FUNCTION_NAMES,
  type FunctionName,
  marshalledBytes,
  PRICES_US_EAST_1,
  totalPerDay,
} from './cost-model.ts';
import { progress, writeReport } from './report/index.ts';

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '200' },
    duration: { type: 'string', default: '2s' },
    quota: { type: 'string', default: '0' },
    'reconcile-window': { type: 'string', default: '50' },
    'max-minutes': { type: 'string', default: '20' },
  },
});
const n = Math.max(1, Math.min(5000, Number(args.n)));
const quota = Number(args.quota);
const deadline = Date.now() + Number(args['max-minutes']) * 60_000;
const window = Number(args['reconcile-window']);

/** Per function (by access key id) and operation: calls, entries, capacity. */
interface Tally {
  calls: number;
  entries: number;
  writeUnits: number;
  readUnits: number;
}
const tallies = new Map<string, Tally>();
const keyOf = (accessKeyId: string | undefined): string =>
  FUNCTION_NAMES.find((name) => functionAccessKeyId(name) === accessKeyId) ?? accessKeyId ?? 'unsigned';
let recordBytesSeen = 0;
let recordReads = 0;

function count(
  call: RecordedCall,
  request: Record<string, unknown> | undefined,
  response: Record<string, unknown>,
) {
  const who = keyOf(call.accessKeyId);
  const target = call.operation.split(' ').pop() ?? call.operation;
  const key = `${who} ${call.action || target}`;
  const tally = tallies.get(key) ?? { calls: 0, entries: 0, writeUnits: 0, readUnits: 0 };
  const capacity =
    call.service === 'dynamodb' ? capacityOf(target, request, response) : { writeUnits: 0, readUnits: 0 };
  tally.calls += 1;
  tally.entries += entriesOf(target, request);
  tally.writeUnits += capacity.writeUnits;
  tally.readUnits += capacity.readUnits;
  tallies.set(key, tally);
  const got = (response?.Responses as Record<string, Record<string, never>[]> | undefined) ?? {};
  for (const items of Object.values(got))
    for (const item of items) {
      recordBytesSeen += marshalledBytes(item);
      recordReads += 1;
    }
}

const proxy = await startRecordingProxy(
  stack.aws.endpoint,
  { sqs: stack.aws.sqsEndpoint },
  { onCall: (call, { request, response }) => count(call, request, response) },
);
const queues = await createQueues('bench-cost', { visibilityTimeoutSeconds: 180, maxReceiveCount: 5 });
const owner = uid('cost');
const policy = JSON.parse(readFileSync(EXAMPLE_POLICY_FILE, 'utf8'));
if (quota > 0) policy.admission = { quotas: { owners: { [owner]: { maxActiveJobs: quota } } } };
const runtimes = new Map<FunctionName, Runtime>();
try {
  const dist = await buildBundles();
  for (const name of FUNCTION_NAMES) {
    const runtimeArgs = ['--functions', name];
    if (name === 'reconcile')
      runtimeArgs.push(
        '--schedule-period',
        '60',
        '--first-firing',
        'immediately',
        '--reconcile-window',
        String(window),
      );
    runtimes.set(
      name,
      startRuntime(queues, dist, {
        args: runtimeArgs,
        endpoint: proxy.endpoint,
        stdout: true,
        // the deployed levels: INFO, metrics on (their EMF lines are log bytes too)
        env: {
          JOB_POLICY: JSON.stringify(policy),
          POWERTOOLS_LOG_LEVEL: 'INFO',
          POWERTOOLS_METRICS_DISABLED: 'false',
        },
      }),
    );
  }
  const ids = Array.from({ length: n }, (_, i) => `${owner}-${i}`);
  const started = Date.now();
  await sendAll(
    queues.url,
    ids.map((jobId) =>
      JSON.stringify({
        jobId,
        owner,
        image: 'public.ecr.aws/docker/library/busybox:1.36',
        command: ['true'],
        podAnnotations: { 'outcome.local/duration': args.duration },
      }),
    ),
  );
  progress('terminal', 0, n, `sent ${n} jobs`);
  const states = new Map<string, string>();
  while (Date.now() < deadline) {
    const open = ids.filter((id) => !isTerminal((states.get(id) ?? 'SUBMITTED') as never));
    if (open.length === 0) break;
    await mapPool(open, 16, async (id) => {
      const record = await getRecord(id);
      if (record) states.set(id, record.state);
    });
    progress('terminal', n - open.length, n, `${Math.round((Date.now() - started) / 1000)} s`);
    await delay(3000);
  }
  const done = [...states.values()].filter((s) => isTerminal(s as never)).length;
  // the events of the last writes: wait for PutEvents to start (publish may first read through
  // older writes of the stream) and then to stop growing
  let last = -1;
  while (Date.now() < deadline) {
    const events = tallies.get('publish events:PutEvents')?.entries ?? 0;
    if (events > 0 && events === last) break;
    last = events;
    await delay(10_000);
  }
  // Reconcile's figures are per completed invocation, and stopping drops the one in its window:
  // wait for that one to end, so that the invocation which saw the last writes is counted.
  const reconciles = reportsOf('reconcile').length;
  while (Date.now() < deadline && reportsOf('reconcile').length === reconciles) await delay(2000);
  for (const runtime of runtimes.values()) await runtime.stop();
  // A function that failed is no count of what it costs: say so.
  for (const [name, runtime] of runtimes) {
    const faults = runtime.stdout.filter((line) => /"level":"(WARN|ERROR)"/.test(line));
    if (faults.length > 0)
      console.log(`${name}: ${faults.length} WARN/ERROR log lines, the first: ${faults[0]}`);
  }

  const outcomes: Record<string, number> = {};
  for (const state of states.values()) outcomes[state] = (outcomes[state] ?? 0) + 1;
  const figures = summarize(done, outcomes);
  const { json } = await writeReport('cost-counts', figures, []);
  console.log(`\n${done}/${n} jobs terminal: ${JSON.stringify(outcomes)}\n`);
  console.log(callsTable(figures.counts));
  console.log(`\n${costTable(figures.rows)}\n`);
  console.log(`written: ${json}`);
} finally {
  for (const runtime of runtimes.values()) await runtime.stop();
  // A function that failed is no count of what it costs: say so.
  for (const [name, runtime] of runtimes) {
    const faults = runtime.stdout.filter((line) => /"level":"(WARN|ERROR)"/.test(line));
    if (faults.length > 0)
      console.log(`${name}: ${faults.length} WARN/ERROR log lines, the first: ${faults[0]}`);
  }
  await proxy.stop();
  await queues.delete();
}

interface Invocation {
  event?: string;
  functionName?: string;
  durationMs?: number;
  records?: number;
}

/** The runtime's reports of the function's completed invocations. */
function reportsOf(name: FunctionName): Invocation[] {
  return (runtimes.get(name)?.lines ?? [])
    .map((line) => parse<Invocation>(line))
    .filter((r) => r?.event === 'invocation' && r.functionName === name) as Invocation[];
}

function summarize(jobs: number, outcomes: Record<string, number>) {
  const per = (x: number) => x / Math.max(1, jobs);
  const invocations = Object.fromEntries(
    FUNCTION_NAMES.map((name) => {
      const reports = reportsOf(name);
      // Lambda bills to the next millisecond
      const billedMs = reports.reduce((sum, r) => sum + Math.ceil(r.durationMs ?? 0), 0);
      return [
        name,
        { invocations: reports.length, billedMs, records: reports.reduce((s, r) => s + (r.records ?? 0), 0) },
      ];
    }),
  ) as Record<FunctionName, { invocations: number; billedMs: number; records: number }>;
  const logBytes = Object.fromEntries(
    FUNCTION_NAMES.map((name) => [
      name,
      (runtimes.get(name)?.stdout ?? []).reduce((s, l) => s + Buffer.byteLength(l) + 1, 0),
    ]),
  ) as Record<FunctionName, number>;

  // reconcile's Kubernetes calls, from its `reconciled` lines
  const kube: Record<string, number> = {};
  for (const line of runtimes.get('reconcile')?.stdout ?? []) {
    const entry = parse<{ message?: string; kube?: Record<string, number> }>(line);
    if (entry?.message !== 'reconciled' || !entry.kube) continue;
    for (const [k, v] of Object.entries(entry.kube)) kube[k] = (kube[k] ?? 0) + v;
  }
  const reconciles = Math.max(1, invocations.reconcile.invocations);
  const perInvocationKube = (kube.watchRequests ?? 0) + (kube.listJobs ?? 0) + (kube.relists ?? 0);
  const perJobKube =
    (kube.listPods ?? 0) +
    (kube.getJob ?? 0) +
    (kube.deleteJob ?? 0) +
    (kube.suspends ?? 0) +
    (kube.releases ?? 0) +
    (kube.podLogs ?? 0);

  const calls: Record<string, number> = {};
  let writeUnits = 0;
  let readUnits = 0;
  let queryReadUnits = 0;
  let sqsRequests = 0;
  let events = 0;
  for (const [key, tally] of tallies) {
    const [who, action] = key.split(' ') as [string, string];
    if (!FUNCTION_NAMES.includes(who as FunctionName)) continue;
    calls[`${who} ${action}`] = per(tally.calls);
    if (action === 'events:PutEvents') {
      calls[`${who} ${action} entries`] = per(tally.entries);
      events += tally.entries;
    }
    if (action === 'dynamodb:TransactWriteItems' || action === 'dynamodb:BatchGetItem')
      calls[`${who} ${action} items`] = per(tally.entries);
    if (action.startsWith('sqs:')) sqsRequests += tally.calls;
    writeUnits += tally.writeUnits;
    // the resync's reads of the status index are per invocation, scaled in the model by the active set
    if (action === 'dynamodb:Query') queryReadUnits += tally.readUnits;
    else readUnits += tally.readUnits;
  }
  for (const [k, v] of Object.entries(kube)) calls[`reconcile kube:${k}`] = per(v);
  calls['submit kube:createJob (from the code)'] = 1;

  const counts: CostCounts = {
    source: `measured: ${jobs} jobs on the local stack, ${new Date().toISOString().slice(0, 10)}`,
    perJob: {
      lambda: {
        submit: {
          invocations: per(invocations.submit.invocations),
          billedMs: invocations.submit.billedMs / Math.max(1, invocations.submit.invocations),
        },
        publish: {
          invocations: per(invocations.publish.invocations),
          billedMs: invocations.publish.billedMs / Math.max(1, invocations.publish.invocations),
        },
      },
      dynamoWriteUnits: per(writeUnits),
      dynamoReadUnits: per(readUnits),
      calls,
      sqsRequests: per(sqsRequests),
      events: per(events),
      kubeCalls: 1 + per(perJobKube),
      // reconcile's log lines per job: its total less a quiet invocation's share is not separable; all per job
      logBytes: {
        submit: per(logBytes.submit),
        reconcile: per(logBytes.reconcile),
        publish: per(logBytes.publish),
      },
    },
    perReconcileInvocation: {
      billedMs: invocations.reconcile.billedMs / reconciles,
      kubeCalls: perInvocationKube / reconciles,
      logBytes: 0,
    },
    recordBytes: recordReads > 0 ? recordBytesSeen / recordReads : 3000,
  };
  const rows = dailyCost(counts, DEFAULT_WORKLOAD, PRICES_US_EAST_1);
  return {
    jobs,
    outcomes,
    invocations,
    logBytes,
    kube,
    queryReadUnitsPerReconcile: queryReadUnits / reconciles,
    counts,
    workload: DEFAULT_WORKLOAD,
    prices: PRICES_US_EAST_1,
    rows,
    totalPerDay: totalPerDay(rows),
  };
}

function parse<T>(line: string): T | undefined {
  try {
    return JSON.parse(line) as T;
  } catch {
    return undefined;
  }
}
