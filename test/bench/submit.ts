// Benchmark of the submit path on the local stack (prints figures; not a timed test).
//
//   node test/bench/submit.ts [--n 2000] [--runtime-concurrency 4] [--batch-size 10] [--batching-window 1] [--pods]
//
// 1. ceiling: a raw createNamespacedJob loop through the same client (KubeClient, runner
//    identity) at the submit path's concurrency, against the same apiserver;
// 2. submit path: N messages through SQS -> the local Lambda runtime -> the submit bundle, jobs
//    per second end to end (first send to the last message handled, every Job verified);
// 3. where the time goes: the same concurrency against SQS alone (receive + delete) and DynamoDB
//    alone (the conditional put), so a bottleneck outside the submit code shows up by itself; and
//    the handler's own stages, from the spans of its calls in the handler-alone stage (Job create,
//    record write, cancel check, none in flight; test/bench/figures/handler-stages.ts).
// Jobs are created suspended (a base template with spec.suspend) unless --pods: the figures are the
// create path, not kwok's pod churn. Everything created is deleted at the end.
// The figures go to bench-results/submit.json (per stage: wall time, rate, when each item finished,
// each call's time) with PNG charts beside it: items per second over time per stage, the time per
// call, and the rates, ceiling beside ours (test/bench/figures/submit.ts; EJR_BENCH_OUT moves them).
// --cold-start writes bench-results/submit-cold-start.json and its chart.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../shared/adapters/kubernetes/client.ts';
import { LABELS } from '../../shared/core/job/labels.ts';
import { jobName, labelValue } from '../../shared/core/job/name.ts';
import { renderJob } from '../../shared/core/submit/manifest.ts';
import { parseBody } from '../../shared/core/submit/parse-request.ts';
import { type PolicyInput, parsePolicy } from '../../shared/core/submit/policy.ts';
import { submittedRecord } from '../../shared/core/submit/records.ts';
import { resolve } from '../../shared/core/submit/resolve.ts';
import { mapPool } from '../../shared/runtime/pool.ts';
import {
  buildBundles,
  createQueues,
  queueDepth,
  sendAll,
  sqs,
  startRuntime,
} from '../integration/submit/pipeline.ts';
import { admin, EXAMPLE_POLICY_FILE, stack, store } from '../integration/submit/support.ts';
import { type HandlerStages, handlerStages } from './figures/handler-stages.ts';
import {
  type StageFigures,
  type SubmitColdStartFigures,
  type SubmitFigures,
  stageFigures,
  submitCharts,
  submitColdStartCharts,
} from './figures/submit.ts';
import { progress, writeReport } from './report/index.ts';
import { recordSpans } from './span-recorder.ts';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '2000' },
    'runtime-concurrency': { type: 'string', default: '4' },
    'batch-size': { type: 'string', default: '10' },
    'batching-window': { type: 'string', default: '1' },
    pods: { type: 'boolean', default: false },
    'time-limit': { type: 'string', default: '600' },
    'cold-start': { type: 'boolean', default: false },
  },
});
const N = Number(values.n);
const RUNTIME_CONCURRENCY = Number(values['runtime-concurrency']);
const BATCH = Number(values['batch-size']);
const CONCURRENCY = RUNTIME_CONCURRENCY * BATCH; // records in flight at once on the submit path
const deadline = Date.now() + Number(values['time-limit']) * 1000;
const namespace = stack.jobsNamespaces[0] as string;
const runId = randomUUID().slice(0, 6);
const owner = `bench-${runId}`;

const policyInput = JSON.parse(
  (await import('node:fs')).readFileSync(EXAMPLE_POLICY_FILE, 'utf8'),
) as PolicyInput;
if (!values.pods)
  policyInput.template = { ...policyInput.template, spec: { ...policyInput.template?.spec, suspend: true } };
const policyFile = join(tmpdir(), `bench-policy-${runId}.json`);
writeFileSync(policyFile, JSON.stringify(policyInput));
const policy = parsePolicy(policyInput, stack.jobsNamespaces);

const requestBody = (jobId: string) =>
  JSON.stringify({
    jobId,
    owner,
    namespace,
    image: 'public.ecr.aws/docker/library/busybox:1.36',
    command: ['sh', '-c', 'true'],
    podAnnotations: { 'outcome.local/duration': '100ms' },
  });

const rate = (count: number, ms: number) => (count / (ms / 1000)).toFixed(1);
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const check = () => {
  if (Date.now() > deadline) throw new Error('time limit reached');
};

function renderFor(jobId: string) {
  const parsed = parseBody(requestBody(jobId), jobId);
  if (parsed.kind !== 'submit') throw new Error('bad bench request');
  const { spec } = resolve(parsed.request, policy);
  return renderJob({
    jobId,
    jobName: jobName(jobId),
    owner,
    request: parsed.request,
    spec,
    policy,
    requestHash: parsed.hash,
    submittedAt: new Date().toISOString(),
    sourceMessageId: jobId,
  });
}

interface RunJob {
  name: string;
  deleting: boolean;
  held: boolean;
}

/** This run's Jobs: their names, whether they are being deleted, and whether a finalizer holds them. */
async function runJobs(): Promise<RunJob[]> {
  const jobs: RunJob[] = [];
  let token: string | undefined;
  do {
    const page = await admin.batch.listNamespacedJob({
      namespace,
      labelSelector: `${LABELS.owner}=${labelValue(owner)}`,
      limit: 500,
      _continue: token,
    });
    for (const job of page.items)
      jobs.push({
        name: job.metadata?.name ?? '',
        deleting: Boolean(job.metadata?.deletionTimestamp),
        held: (job.metadata?.finalizers?.length ?? 0) > 0,
      });
    token = page.metadata?._continue || undefined;
  } while (token);
  return jobs;
}

const countJobs = async (): Promise<number> => (await runJobs()).filter((job) => !job.deleting).length;

async function ceiling(): Promise<StageFigures> {
  const kc = new KubeConfig();
  kc.loadFromFile(stack.kubeconfigs.submit);
  const kube = new KubeClient(kc);
  const jobs = Array.from({ length: N }, (_, i) => renderFor(`${owner}-ceiling-${i}`));
  const doneAt: number[] = [];
  const callMs: number[] = [];
  progress('ceiling: creates', 0, N);
  const started = performance.now();
  await mapPool(jobs, CONCURRENCY, async (job) => {
    check();
    const at = performance.now();
    await kube.createJob(job);
    const now = performance.now();
    callMs.push(now - at);
    doneAt.push(now);
    progress('ceiling: creates', doneAt.length, N);
  });
  return stageFigures(started, performance.now() - started, doneAt, callMs);
}

async function submitPath(): Promise<{
  path: StageFigures & { sendMs: number; invocations: number; meanInvocationMs: number };
  send: StageFigures;
}> {
  const queues = await createQueues(`bench-${runId}`, { visibilityTimeoutSeconds: 60, maxReceiveCount: 5 });
  const dist = await buildBundles();
  const runtime = startRuntime(queues, dist, {
    batchSize: BATCH,
    concurrency: RUNTIME_CONCURRENCY,
    env: { JOB_POLICY_FILE: policyFile, SUBMIT_CONCURRENCY: String(BATCH) },
    // As deployed (submitMaxBatchingWindowSeconds): with no window a poller takes what one receive
    // brings, often fewer than 10, and fewer creates are in flight than the ceiling's.
    // Submit alone: publish is a function of its own downstream of the table's stream, not on the
    // submit path, and here it would take the same two cores and moto's one lock from submit.
    args: ['--batching-window', values['batching-window'], '--functions', 'submit'],
  });
  try {
    let handled = 0;
    let lastAt = 0;
    const durations: number[] = [];
    const doneAt: number[] = [];
    runtime.process.stderr?.on('data', () => {});
    const seen = { count: 0 };
    const scan = () => {
      for (; seen.count < runtime.lines.length; seen.count++) {
        try {
          const r = JSON.parse(runtime.lines[seen.count] as string) as {
            event?: string;
            functionName?: string;
            deleted?: number;
            durationMs?: number;
          };
          if (r.event === 'invocation' && r.functionName === 'submit') {
            handled += r.deleted ?? 0;
            durations.push(r.durationMs ?? 0);
            lastAt = performance.now();
            for (let k = 0; k < (r.deleted ?? 0); k++) doneAt.push(lastAt);
          }
        } catch {}
      }
    };
    // the runtime has done its cold start once it logs "started"
    while (!runtime.lines.some((l) => l.includes('"started"'))) {
      check();
      if (runtime.process.exitCode !== null) throw new Error(`runtime exited: ${runtime.lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const bodies = Array.from({ length: N }, (_, i) => requestBody(`${owner}-submit-${i}`));
    const sentAt: number[] = [];
    progress('submit path: sent', 0, N);
    progress('submit path: handled', 0, N);
    const started = performance.now();
    await sendAll(queues.url, bodies, 8, (count) => {
      const now = performance.now();
      for (let k = 0; k < count; k++) sentAt.push(now);
      progress('submit path: sent', sentAt.length, N);
    });
    const sendMs = performance.now() - started;
    while (handled < N) {
      check();
      await new Promise((r) => setTimeout(r, 50));
      scan();
      progress('submit path: handled', handled, N);
    }
    const ms = lastAt - started;
    const depth = await queueDepth(queues.url);
    const dlq = await queueDepth(queues.dlqUrl);
    if (depth.visible + depth.inFlight + dlq.visible > 0)
      throw new Error(`messages left: ${JSON.stringify({ depth, dlq })}`);
    return {
      path: {
        ...stageFigures(started, ms, doneAt, durations),
        sendMs,
        invocations: durations.length,
        meanInvocationMs: durations.reduce((a, b) => a + b, 0) / Math.max(1, durations.length),
      },
      send: stageFigures(started, sendMs, sentAt),
    };
  } finally {
    await runtime.stop();
    await queues.delete();
  }
}

/**
 * The submit bundle without SQS: the same records, in batches of the same size, RUNTIME_CONCURRENCY
 * invocations at a time, straight into the handler. This is the submit code's own throughput
 * (parse, policy, DynamoDB put, create, check read) against the same apiserver and DynamoDB.
 */
async function handlerAlone(): Promise<{ stage: StageFigures; stages: HandlerStages }> {
  const { functionEnv } = await import('../integration/submit/support.ts');
  const dist = await buildBundles();
  Object.assign(process.env, functionEnv({ JOB_POLICY_FILE: policyFile, SUBMIT_CONCURRENCY: String(BATCH) }));
  // Before the import: the bundle's spans (its DynamoDB and Kubernetes calls) time its stages.
  const recorder = recordSpans();
  const { handler } = (await import(join(dist, 'submit', 'index.mjs'))) as {
    handler: (e: unknown, c: unknown) => Promise<{ batchItemFailures: unknown[] }>;
  };
  const batches: { messageId: string; body: string }[][] = [];
  for (let i = 0; i < N; i += BATCH) {
    batches.push(
      Array.from({ length: Math.min(BATCH, N - i) }, (_, k) => ({
        messageId: randomUUID(),
        body: requestBody(`${owner}-direct-${i + k}`),
      })),
    );
  }
  await handler({ Records: [] }, { getRemainingTimeInMillis: () => 30_000 }); // the cold start, outside the timing
  const doneAt: number[] = [];
  const callMs: number[] = [];
  progress('handler: records', 0, N);
  const started = performance.now();
  await mapPool(batches, RUNTIME_CONCURRENCY, async (records) => {
    check();
    const at = performance.now();
    const out = await recorder.invoke(records.length, () =>
      handler({ Records: records }, { getRemainingTimeInMillis: () => 30_000 }),
    );
    const now = performance.now();
    if (out.batchItemFailures.length > 0) throw new Error(`${out.batchItemFailures.length} failures`);
    callMs.push(now - at);
    for (let k = 0; k < records.length; k++) doneAt.push(now);
    progress('handler: records', doneAt.length, N);
  });
  const ms = performance.now() - started;
  return {
    stage: stageFigures(started, ms, doneAt, callMs),
    stages: handlerStages(recorder.invocations, recorder.spans, ms),
  };
}

/** SQS alone at the runtime's concurrency: receive a batch and delete it, the runtime's loop minus the handler. */
async function sqsAlone(): Promise<StageFigures> {
  const queues = await createQueues(`bench-sqs-${runId}`);
  try {
    await sendAll(
      queues.url,
      Array.from({ length: N }, () => '{}'),
      8,
    );
    let handled = 0;
    const doneAt: number[] = [];
    progress('sqs alone: received+deleted', 0, N);
    const started = performance.now();
    await Promise.all(
      Array.from({ length: RUNTIME_CONCURRENCY }, async () => {
        while (handled < N) {
          check();
          const out = await sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: queues.url,
              MaxNumberOfMessages: BATCH,
              WaitTimeSeconds: 1,
            }),
          );
          const messages = out.Messages ?? [];
          if (messages.length === 0) continue;
          await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queues.url,
              Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
            }),
          );
          handled += messages.length;
          const now = performance.now();
          for (let k = 0; k < messages.length; k++) doneAt.push(now);
          progress('sqs alone: received+deleted', Math.min(handled, N), N);
        }
      }),
    );
    return stageFigures(started, performance.now() - started, doneAt);
  } finally {
    await queues.delete();
  }
}

/** DynamoDB alone: the submit path's one conditional put per job, at the same concurrency. */
async function dynamoAlone(): Promise<StageFigures> {
  const ids = Array.from({ length: N }, (_, i) => `${owner}-ddb-${i}`);
  const at = new Date().toISOString();
  const doneAt: number[] = [];
  progress('dynamodb alone: puts', 0, N);
  const started = performance.now();
  await mapPool(ids, CONCURRENCY, async (jobId) => {
    check();
    await store.create(
      submittedRecord({
        jobId,
        owner,
        at,
        namespace,
        jobName: jobName(jobId),
        requestHash: 'x',
        request: {},
        sourceMessageId: jobId,
      }),
    );
    doneAt.push(performance.now());
    progress('dynamodb alone: puts', doneAt.length, N);
  });
  return stageFigures(started, performance.now() - started, doneAt);
}

/**
 * The handler's own stages (handler alone): a mean invocation's wall time by what was in flight,
 * a Job create first (the ceiling's work), then the record write, the cancel check, and none.
 */
function printHandlerStages(h: HandlerStages, ceilingStage: StageFigures): void {
  const perBatch = (h.records / Math.max(1, h.invocations)).toFixed(0);
  console.log(
    `submit handler, stage by stage (handler alone: ${h.invocations} invocations of ${perBatch}, mean ${h.meanInvocationMs.toFixed(0)} ms):`,
  );
  for (const { stage, ms, share } of h.stages)
    console.log(
      `  ${stage.padEnd(30)} ${`${ms.toFixed(0)} ms`.padStart(10)}  ${(share * 100).toFixed(0).padStart(3)}%`,
    );
  const calls = h.calls.map((c) => `${c.name} ${c.perRecord.toFixed(2)} x ${c.meanMs.toFixed(0)} ms`);
  console.log(`  calls per record: ${calls.join(', ')}`);
  const ceilingCalls = ceilingStage.callMs ?? [];
  const ceilingCreate = ceilingCalls.reduce((a, b) => a + b, 0) / Math.max(1, ceilingCalls.length);
  const create = h.calls.find((c) => c.name === 'kubernetes createJob')?.meanMs ?? 0;
  console.log(
    `  Job creates in flight: ${h.createsInFlight.toFixed(1)} on average (the ceiling keeps ${CONCURRENCY}); ` +
      `one create: ${create.toFixed(0)} ms in the handler, ${ceilingCreate.toFixed(0)} ms in the ceiling`,
  );
}

async function cleanupRecords(): Promise<void> {
  const { DeleteCommand } = await import('@aws-sdk/lib-dynamodb');
  const { documentClient } = await import('../integration/submit/support.ts');
  const ids = Array.from({ length: N }, (_, i) => [
    `${owner}-submit-${i}`,
    `${owner}-ddb-${i}`,
    `${owner}-direct-${i}`,
  ]).flat();
  await mapPool(ids, 16, (jobId) =>
    documentClient.send(new DeleteCommand({ TableName: stack.aws.tableName, Key: { jobId } })),
  );
}

/**
 * Deletes this run's Jobs for good: our finalizer holds each (and its pods) until a reconcile
 * releases it, and none runs here, so it is cleared first.
 */
async function cleanupJobs(): Promise<void> {
  const clear = [{ op: 'add', path: '/metadata/finalizers', value: [] }];
  // One delete each, 20 at a time: a deletecollection of thousands of Jobs is deleted one by one
  // inside the single request (the apiserver's one delete-collection worker) and outlives its timeout.
  await mapPool(await runJobs(), 20, async ({ name, deleting, held }) => {
    if (!deleting)
      await admin.batch
        .deleteNamespacedJob({ namespace, name, propagationPolicy: 'Background' })
        .catch(() => {});
    if (held) await admin.batch.patchNamespacedJob({ namespace, name, body: clear }).catch(() => {});
    if (!values.pods) return;
    const pods = await admin.core.listNamespacedPod({ namespace, labelSelector: `${LABELS.jobKey}=${name}` });
    for (const pod of pods.items)
      await admin.core
        .patchNamespacedPod({ namespace, name: pod.metadata?.name ?? '', body: clear })
        .catch(() => {});
  });
}

/**
 * Bundle size and cold init of the submit function under Node 24: fresh processes, each importing
 * the bundle (module init: clients, policy) and running a first, empty invocation (which awaits
 * the kubeconfig), as a Lambda cold start does.
 */
async function coldStart(): Promise<void> {
  const { statSync } = await import('node:fs');
  const { execFileSync } = await import('node:child_process');
  const { functionEnv, repoRoot } = await import('../integration/submit/support.ts');
  const dist = await buildBundles();
  const bundle = join(dist, 'submit', 'index.mjs');
  console.log(
    `bundle      ${bundle}: ${(statSync(bundle).size / 1024).toFixed(0)} KiB (minified ESM, ${process.version})`,
  );
  const script = `
    const t0 = performance.now();
    const { handler } = await import(${JSON.stringify(bundle)});
    const t1 = performance.now();
    await handler({ Records: [] }, { getRemainingTimeInMillis: () => 30000 });
    const t2 = performance.now();
    console.log(JSON.stringify({ importMs: t1 - t0, firstInvokeMs: t2 - t1 }));`;
  const runs = Array.from({ length: 7 }, (_, i) => {
    progress('cold start: fresh processes', i, 7);
    const out = execFileSync(
      join(repoRoot, 'node_modules/.bin/node'),
      ['--input-type=module', '-e', script],
      {
        env: { ...process.env, ...functionEnv({ POWERTOOLS_LOG_LEVEL: 'ERROR' }) },
        encoding: 'utf8',
      },
    );
    return JSON.parse(out.trim().split('\n').at(-1) as string) as { importMs: number; firstInvokeMs: number };
  });
  progress('cold start: fresh processes', runs.length, runs.length);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const imports = runs.map((r) => r.importMs);
  const firsts = runs.map((r) => r.firstInvokeMs);
  console.log(
    `cold init   import ${median(imports).toFixed(0)} ms (min ${Math.min(...imports).toFixed(0)}), first invocation ${median(firsts).toFixed(0)} ms, total ${median(runs.map((r) => r.importMs + r.firstInvokeMs)).toFixed(0)} ms (median of ${runs.length} fresh processes)`,
  );
  const figures: SubmitColdStartFigures = {
    bundle,
    bundleBytes: statSync(bundle).size,
    node: process.version,
    runs,
  };
  const report = await writeReport('submit-cold-start', figures, submitColdStartCharts(figures));
  console.log(`figures     ${report.json} (charts: ${report.pngs.join(', ')})`);
}

if (values['cold-start']) {
  await coldStart();
  process.exit(0);
}

console.log(
  `# submit benchmark: N=${N}, runtime concurrency ${RUNTIME_CONCURRENCY} x batch ${BATCH} = ${CONCURRENCY} in flight, ${values.pods ? 'with pods' : 'suspended Jobs (no pods)'}`,
);
try {
  const ceilingStage = await ceiling();
  const ceilingMs = ceilingStage.ms;
  console.log(
    `ceiling     raw createNamespacedJob x${N} at ${CONCURRENCY}: ${fmt(ceilingMs)}  ${rate(N, ceilingMs)} jobs/s`,
  );
  await cleanupJobs();
  const { stage: handlerStage, stages: handlerSteps } = await handlerAlone();
  const directMs = handlerStage.ms;
  console.log(
    `handler     submit bundle, no SQS, x${N} (${RUNTIME_CONCURRENCY} invocations x ${BATCH}): ${fmt(directMs)}  ${rate(N, directMs)} jobs/s` +
      `  = ${(ceilingMs / directMs).toFixed(2)} of the ceiling`,
  );
  await cleanupJobs();
  const { path, send } = await submitPath();
  const created = await countJobs();
  console.log(
    `submit path SQS -> runtime -> submit x${N}: ${fmt(path.ms)}  ${rate(N, path.ms)} jobs/s end to end ` +
      `(send ${fmt(path.sendMs)}, ${path.invocations} invocations, mean ${path.meanInvocationMs.toFixed(0)} ms each, ${created} Jobs verified)`,
  );
  if (created !== N) throw new Error(`expected ${N} Jobs, found ${created}`);
  console.log(`ratio       end to end / ceiling = ${(ceilingMs / path.ms).toFixed(2)} (target >= 0.80)`);
  const sqsStage = await sqsAlone();
  const sqsMs = sqsStage.ms;
  console.log(
    `sqs alone   receive+delete x${N} at ${RUNTIME_CONCURRENCY} pollers: ${fmt(sqsMs)}  ${rate(N, sqsMs)} msgs/s`,
  );
  const ddbStage = await dynamoAlone();
  const ddbMs = ddbStage.ms;
  console.log(`dynamodb    conditional put x${N} at ${CONCURRENCY}: ${fmt(ddbMs)}  ${rate(N, ddbMs)} puts/s`);
  const stages = [
    ['apiserver create (ceiling)', ceilingMs],
    ['submit handler without SQS', directMs],
    ['SQS receive+delete (ElasticMQ)', sqsMs],
    ['SQS send (ElasticMQ)', path.sendMs],
    ['DynamoDB put (moto)', ddbMs],
  ] as const;
  console.log('where the time goes (each stage alone, N items):');
  for (const [name, ms] of [...stages].sort((a, b) => b[1] - a[1]))
    console.log(`  ${name.padEnd(30)} ${fmt(ms).padStart(10)}  ${rate(N, ms)} /s`);
  printHandlerStages(handlerSteps, ceilingStage);
  const figures: SubmitFigures = {
    config: {
      n: N,
      runtimeConcurrency: RUNTIME_CONCURRENCY,
      batchSize: BATCH,
      inFlight: CONCURRENCY,
      pods: values.pods ?? false,
    },
    ceiling: ceilingStage,
    handler: handlerStage,
    handlerStages: handlerSteps,
    path: { ...path, jobsVerified: created },
    send,
    sqs: sqsStage,
    dynamodb: ddbStage,
    ratio: ceilingMs / path.ms,
  };
  const report = await writeReport('submit', figures, submitCharts(figures));
  console.log(`figures     ${report.json} (charts: ${report.pngs.join(', ')})`);
} finally {
  await cleanupJobs().catch(() => {});
  await cleanupRecords().catch(() => {});
}
process.exit(0);
