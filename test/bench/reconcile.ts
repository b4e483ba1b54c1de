// Benchmark of the reconciler on the local stack, against a naive baseline in the same run.
//
//   node_modules/.bin/node test/bench/reconcile.ts [--sizes=1000,10000] [--latency-jobs=60]
//                                                  [--latency-seconds=40] [--max-minutes=25]
//                                                  [--ready-minutes=N/2000, at least 15] [--scale-only]
//
// Sizes up to 50,000: past what the stack's kwok nodes hold (14,000 pods), the benchmark adds kwok
// nodes of its own for the run. `--scale-only` measures the resyncs and the scale figures below and
// skips the naive poller and the latency windows (which take longest at large N).
// For each N: a fresh namespace (PodSecurity restricted, the runner Role bound) and a fresh
// table; N Jobs whose kwok pods keep running, with their SUBMITTED records. Then:
//   1. resync (first pass: every record moves to RUNNING) and a quiet resync: Kubernetes
//      API calls, DynamoDB reads and writes, wall time;
//   1b. scale (test/bench/scale.ts): the quiet resync's LIST pages, wall time and memory (heap and RSS,
//      peak during and after; run with node --expose-gc for the figures after a full GC), and in a
//      second quiet pass on a metered client its DynamoDB read units, from the bytes of the items each
//      Query and BatchGet returned, beside the same scan computed for projection ALL (the v1.2
//      indexes) from the whole records;
//   2. the naive baseline: one GET per job and one unconditional write per job per pass;
//   3. status latency under load: short jobs created while the N jobs run; from the pod's
//      termination (seen by an admin pod watch) to the terminal record; p50 and p95, for the
//      reconciler (watch window) and for the naive poller (passes back to back).
// Everything is bounded in count and time; the namespace and the table are deleted at the end.
// The figures go to bench-results/reconcile.json (with every latency sample) and PNG charts beside
// it: the status latency's distribution per N and the cost of a pass as bars, the naive poller
// beside the reconciler (test/bench/figures/reconcile.ts; EJR_BENCH_OUT moves them).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  BatchV1Api,
  CoreV1Api,
  KubeConfig,
  loadAllYaml,
  RbacAuthorizationV1Api,
  type V1Job,
  type V1Node,
  type V1Pod,
  type V1Role,
  type V1RoleBinding,
  Watch,
} from '@kubernetes/client-node';
import { Reconciler, reconcile } from '../../functions/reconcile/reconciler.ts';
import { DUMMY_CREDENTIALS } from '../../infra/local/aws/client-config.ts';
import { ensureJobsTable } from '../../infra/local/aws/table.ts';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client.ts';
import { DynamoDbJobQueries } from '../../shared/adapters/dynamodb/job-queries.ts';
import { DynamoDbJobStore } from '../../shared/adapters/dynamodb/job-store.ts';
import { KubeWatchClient } from '../../shared/adapters/kubernetes/watch-client.ts';
import { ANNOTATIONS, LABELS, MANAGER } from '../../shared/core/job/labels.ts';
import type { JobRecord } from '../../shared/core/job/record.ts';
import { isTerminal } from '../../shared/core/job/state.ts';
import { DEFAULT_RECONCILE_CONFIG } from '../../shared/core/reconcile/plan.ts';
import { deriveJobStatus } from '../../shared/core/reconcile/status.ts';
import { submittedRecord } from '../../shared/core/submit/records.ts';
import { mapPool } from '../../shared/runtime/pool.ts';
import { type RetrySettings, withRetry } from '../../shared/runtime/retry.ts';
import { restrictedPodSpec } from '../support/kube.ts';
import { loadLocalStack } from '../support/local-stack.ts';
import { type ReconcileFigures, reconcileCharts, type SizeResult } from './figures/reconcile.ts';
import { progress, writeReport } from './report/index.ts';
import { activeScanUnits, meteredPass, withMemory } from './scale.ts';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,10000' },
    'latency-jobs': { type: 'string', default: '60' },
    'latency-seconds': { type: 'string', default: '40' },
    'max-minutes': { type: 'string', default: '25' },
    'ready-minutes': { type: 'string' },
    'scale-only': { type: 'boolean', default: false },
  },
});
const sizes = args.sizes
  .split(',')
  .map(Number)
  .filter((n) => n > 0 && n <= 50_000);
/** Long enough for the Job controller, the scheduler and kwok to start N pods on 2 cores (~4 min a 10,000). */
const readyMinutes = (n: number) => Number(args['ready-minutes'] ?? Math.max(15, Math.ceil(n / 2000)));
const latencyJobs = Math.min(200, Number(args['latency-jobs']));
const latencySeconds = Math.min(120, Number(args['latency-seconds']));
const benchDeadline = Date.now() + Number(args['max-minutes']) * 60_000;

const stack = loadLocalStack();
const kcOf = (file: string): KubeConfig => {
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  return kc;
};
const adminKc = kcOf(stack.adminKubeconfig);
const batch = adminKc.makeApiClient(BatchV1Api);
const core = adminKc.makeApiClient(CoreV1Api);
const rbac = adminKc.makeApiClient(RbacAuthorizationV1Api);
const aws = { endpoint: stack.aws.endpoint, region: stack.aws.region, credentials: { ...DUMMY_CREDENTIALS } };
process.env.AWS_ACCESS_KEY_ID ??= DUMMY_CREDENTIALS.accessKeyId;
process.env.AWS_SECRET_ACCESS_KEY ??= DUMMY_CREDENTIALS.secretAccessKey;
const dynamodb = new DynamoDBClient(aws);
const documentClient = createDocumentClient({ endpoint: aws.endpoint, region: aws.region });

function log(message: string): void {
  progress.end();
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** The benchmark's own raw API calls: a few tries on a fault that is not the request's. */
const BENCH_RETRY: RetrySettings = { attempts: 5, baseDelayMs: 200, maxDelayMs: 2000 };
function retried<T>(call: () => Promise<T>): Promise<T> {
  return withRetry(call, {
    ...BENCH_RETRY,
    isRetryable: (error) => {
      const code = (error as { code?: number }).code;
      return typeof code !== 'number' || code === 429 || code >= 500;
    },
  });
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

async function setupNamespace(ns: string): Promise<void> {
  await core.createNamespace({
    body: {
      metadata: {
        name: ns,
        labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'eks-job-runner.local/bench': 'true' },
      },
    },
  });
  const text = readFileSync(resolve(import.meta.dirname, '../../infra/k8s/rbac.yaml'), 'utf8').replaceAll(
    'NAMESPACE',
    ns,
  );
  for (const doc of loadAllYaml(text)) {
    if (doc?.kind === 'Role') await rbac.createNamespacedRole({ namespace: ns, body: doc as V1Role });
    if (doc?.kind === 'RoleBinding')
      await rbac.createNamespacedRoleBinding({ namespace: ns, body: doc as V1RoleBinding });
  }
  // The namespace's default service account appears shortly (the Job controller needs it).
  for (let i = 0; i < 100; i++) {
    try {
      await core.readNamespacedServiceAccount({ namespace: ns, name: 'default' });
      return;
    } catch {
      await delay(100);
    }
  }
}

function manifest(ns: string, jobId: string, name: string, duration: string, role: string): V1Job {
  return {
    metadata: {
      name,
      namespace: ns,
      labels: {
        [LABELS.managedBy]: MANAGER,
        [LABELS.jobKey]: name,
        [LABELS.owner]: 'bench',
        'bench-role': role,
      },
      annotations: {
        [ANNOTATIONS.jobId]: jobId,
        [ANNOTATIONS.owner]: 'bench',
        [ANNOTATIONS.submittedAt]: new Date().toISOString(),
      },
    },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: { labels: { 'bench-role': role }, annotations: { 'outcome.local/duration': duration } },
        spec: restrictedPodSpec({
          image: 'registry.local/worker:1',
          resources: { requests: { cpu: '1m', memory: '1Mi' } },
        }),
      },
    },
  };
}

async function putRecords(table: string, ns: string, jobs: { jobId: string; name: string }[]): Promise<void> {
  const at = new Date().toISOString();
  const chunks: { jobId: string; name: string }[][] = [];
  for (let i = 0; i < jobs.length; i += 25) chunks.push(jobs.slice(i, i + 25));
  await mapPool(chunks, 8, async (chunk) => {
    let items = chunk.map((j) => ({
      PutRequest: {
        Item: submittedRecord({
          jobId: j.jobId,
          owner: 'bench',
          at,
          namespace: ns,
          jobName: j.name,
          requestHash: 'h',
          request: {},
          sourceMessageId: 'm',
        }),
      },
    }));
    for (let round = 0; items.length > 0 && round < 10; round++) {
      const out = await documentClient.send(new BatchWriteCommand({ RequestItems: { [table]: items } }));
      items = (out.UnprocessedItems?.[table] ?? []) as typeof items;
    }
  });
}

async function createJobs(
  ns: string,
  table: string,
  count: number,
  duration: string,
  role: string,
  prefix: string,
) {
  const jobs = Array.from({ length: count }, (_, i) => ({ jobId: `${prefix}-${i}`, name: `${prefix}-${i}` }));
  await putRecords(table, ns, jobs);
  const label = `${ns}: ${role} jobs created`;
  let created = 0;
  if (count > 1) progress(label, 0, count);
  await mapPool(jobs, 48, async (j) => {
    try {
      await retried(() =>
        batch.createNamespacedJob({ namespace: ns, body: manifest(ns, j.jobId, j.name, duration, role) }),
      );
    } catch (error) {
      // A create retried after a lost response may find its own Job: that is success.
      if ((error as { code?: number }).code !== 409) throw error;
    }
    if (count > 1) progress(label, ++created, count);
  });
  return jobs;
}

/** Counts the Jobs with a ready pod, by paginated LIST (admin), until all or the deadline. */
async function waitReady(ns: string, count: number, deadline: number): Promise<number> {
  let ready = 0;
  while (Date.now() < deadline) {
    ready = 0;
    let token: string | undefined;
    do {
      const page = await batch.listNamespacedJob({
        namespace: ns,
        labelSelector: 'bench-role=load',
        limit: 500,
        _continue: token,
      });
      ready += page.items.filter((j) => (j.status?.ready ?? 0) > 0).length;
      token = page.metadata?._continue || undefined;
    } while (token);
    progress(`${ns}: load jobs running`, ready, count);
    if (ready >= count) return ready;
    await delay(5000);
  }
  return ready;
}

/** Pods the stack's kwok nodes take (infra/local/kwok/cluster.yaml: two general nodes and a high-memory one). */
const STACK_PODS = 14_000;
const NODE_PODS = 10_000;

/**
 * kwok nodes for `pods` pods beyond what the stack's nodes take, made like the stack's first general
 * node (kwok runs every node with its annotation); their names, to delete at the end.
 */
async function addNodes(id: string, pods: number): Promise<string[]> {
  const extra = Math.ceil(Math.max(0, pods - STACK_PODS) / NODE_PODS);
  if (extra === 0) return [];
  const text = readFileSync(resolve(import.meta.dirname, '../../infra/local/kwok/cluster.yaml'), 'utf8');
  const template = (loadAllYaml(text) as V1Node[]).find(
    (doc) => doc?.kind === 'Node' && doc.metadata?.labels?.['eks-job-runner.local/pool'] === 'general',
  );
  if (!template) throw new Error('cluster.yaml has no general kwok node to copy');
  const names: string[] = [];
  for (let k = 0; k < extra; k++) {
    const name = `bench-${id}-${k}`;
    const resources = { ...template.status?.capacity, pods: String(NODE_PODS) };
    await core.createNode({
      body: {
        ...template,
        metadata: {
          ...template.metadata,
          name,
          labels: { ...template.metadata?.labels, 'kubernetes.io/hostname': name },
        },
        status: { capacity: resources, allocatable: resources },
      },
    });
    names.push(name);
  }
  log(`${extra} kwok nodes added for ${pods} pods: ${names.join(', ')}`);
  return names;
}

/** The naive poller's view: every active record, whole (the index gives ids, the table the records). */
async function activeRecords(queries: DynamoDbJobQueries): Promise<Map<string, JobRecord>> {
  const ids: string[] = [];
  for await (const entry of queries.scanActive()) ids.push(entry.jobId);
  return queries.getJobs(ids);
}

/** The naive reconciler: GET each job, derive its state, write the record unconditionally. */
async function naivePass(
  ns: string,
  table: string,
  records: Map<string, JobRecord>,
  terminalAt: Map<string, number>,
  label = `${ns}: naive pass`,
): Promise<{ gets: number; writes: number; ms: number }> {
  const started = Date.now();
  let gets = 0;
  let writes = 0;
  let done = 0;
  progress(label, 0, records.size);
  await mapPool([...records.values()], 16, async (record) => {
    gets++;
    let job: V1Job | undefined;
    try {
      job = await retried(() => batch.readNamespacedJob({ namespace: ns, name: record.jobName ?? '' }));
    } catch {
      job = undefined;
    }
    const state = job ? deriveJobStatus(job).state : 'LOST';
    const next = { ...record, state, updatedAt: new Date().toISOString() };
    writes++;
    await documentClient.send(new PutCommand({ TableName: table, Item: next }));
    if (isTerminal(state) && !terminalAt.has(record.jobId)) terminalAt.set(record.jobId, Date.now());
    progress(label, ++done, records.size);
  });
  return { gets, writes, ms: Date.now() - started };
}

/** Times when each latency job's pod terminated, as an admin pod watch sees it. */
async function watchTerminations(ns: string, seen: Map<string, number>): Promise<AbortController> {
  const watch = new Watch(adminKc);
  return watch.watch(
    `/api/v1/namespaces/${ns}/pods`,
    { labelSelector: 'bench-role in (latency,naive)' },
    (_type, pod: V1Pod) => {
      const job = pod.metadata?.labels?.['batch.kubernetes.io/job-name'];
      const phase = pod.status?.phase;
      if (job && (phase === 'Succeeded' || phase === 'Failed') && !seen.has(job)) seen.set(job, Date.now());
    },
    () => {},
  );
}

async function benchSize(n: number): Promise<SizeResult | undefined> {
  const id = randomUUID().slice(0, 6);
  const ns = `bench-${n}-${id}`;
  const table = `eks-job-runner-bench-${id}`;
  const setupStarted = Date.now();
  log(`N=${n}: namespace ${ns}, table ${table}`);
  await setupNamespace(ns);
  await ensureJobsTable(dynamodb, table);
  const nodes = await addNodes(id, n + 2 * latencyJobs);
  try {
    await createJobs(ns, table, n, '24h', 'load', `load-${id}`);
    log(`N=${n}: ${n} jobs and records created in ${((Date.now() - setupStarted) / 1000).toFixed(0)} s`);
    const readyJobs = await waitReady(ns, n, Math.min(benchDeadline, Date.now() + readyMinutes(n) * 60_000));
    const setupSeconds = (Date.now() - setupStarted) / 1000;

    const deps = () => ({
      kube: new KubeWatchClient(kcOf(stack.kubeconfigs.reconcile)),
      store: new DynamoDbJobStore(documentClient, table),
      reader: new DynamoDbJobQueries(documentClient, table),
    });
    const summarize = (s: Awaited<ReturnType<typeof reconcile>>, ms: number) => ({
      kubeCalls: s.kube.listJobs + s.kube.listPods + s.kube.getJob + s.kube.podLogs + s.kube.deleteJob,
      listPages: s.kube.listJobs,
      podLists: s.kube.listPods,
      jobGets: s.kube.getJob,
      dynamoReads: s.dynamoReads,
      writes: s.writes,
      wallMs: ms,
      activeScanMs: s.activeScanMs,
      listMs: s.listMs,
    });
    const config = { ...DEFAULT_RECONCILE_CONFIG, logTailLines: 0 };
    const t = Date.now();
    const first = await reconcile(deps(), { namespaces: [ns], windowMs: 0, config, logTailLines: 0 });
    const resync = summarize(first, Date.now() - t);
    log(`N=${n}: first resync ${JSON.stringify(resync)}`);
    const timed = await withMemory(async () => {
      const started = Date.now();
      const stats = await reconcile(deps(), { namespaces: [ns], windowMs: 0, config, logTailLines: 0 });
      return { stats, ms: Date.now() - started };
    });
    const second = timed.result.stats;
    const quiet = {
      ...summarize(second, timed.result.ms),
      quietJobs: second.quiet,
      settledSkipped: second.settledSkipped,
    };
    log(`N=${n}: quiet resync ${JSON.stringify(quiet)}`);
    const reads = await meteredPass(
      createDocumentClient({ endpoint: aws.endpoint, region: aws.region }),
      (c) =>
        reconcile(
          {
            kube: new KubeWatchClient(kcOf(stack.kubeconfigs.reconcile)),
            store: new DynamoDbJobStore(c, table),
            reader: new DynamoDbJobQueries(c, table),
          },
          { namespaces: [ns], windowMs: 0, config, logTailLines: 0 },
        ),
    );
    const baseline = await activeScanUnits(documentClient, table);
    const scale = {
      listPages: quiet.listPages,
      quietWallMs: quiet.wallMs,
      quietJobs: second.quiet,
      readUnits: reads.units,
      readQueries: reads.queries,
      readItemsByKey: reads.itemReads,
      ...baseline,
      ...timed.memory,
    };
    log(`N=${n}: scale ${JSON.stringify(scale)}`);
    if (args['scale-only']) {
      const none = { jobs: 0, measured: 0, p50Ms: Number.NaN, p95Ms: Number.NaN };
      return {
        n,
        readyJobs,
        setupSeconds,
        resync,
        quiet,
        scale,
        naive: { gets: Number.NaN, writes: Number.NaN, ms: Number.NaN },
        latency: none,
        naiveLatency: none,
        latencySamplesMs: [],
        naiveLatencySamplesMs: [],
      };
    }

    const queries = new DynamoDbJobQueries(documentClient, table);
    const records = await activeRecords(queries);
    const naive = await naivePass(ns, table, records, new Map());
    log(`N=${n}: naive pass ${JSON.stringify(naive)}`);

    // Latency under load: short jobs created over the first half of the window.
    const terminated = new Map<string, number>();
    const watchHandle = await watchTerminations(ns, terminated);
    const window = latencySeconds * 1000;
    const reconciler = new Reconciler(deps(), {
      namespaces: [ns],
      windowMs: window,
      config,
      logTailLines: 20,
    });
    const running = reconciler.run();
    const latencyNames: string[] = [];
    const spacing = window / 2 / latencyJobs;
    for (let i = 0; i < latencyJobs; i++) {
      const [j] = await createJobs(ns, table, 1, '3s', 'latency', `lat-${id}-${i}`);
      if (j) latencyNames.push(j.name);
      progress(`${ns}: latency jobs created`, i + 1, latencyJobs);
      await delay(spacing);
    }
    const stats = await running;
    const lat = await queries.getJobs(latencyNames);
    const latencies: number[] = [];
    for (const r of lat.values()) {
      const end = terminated.get(r.jobName ?? '');
      if (end && isTerminal(r.state)) latencies.push(Date.parse(r.updatedAt) - end);
    }
    const latency = {
      jobs: latencyNames.length,
      measured: latencies.length,
      p50Ms: percentile(latencies, 50),
      p95Ms: percentile(latencies, 95),
      maxMs: Math.max(...latencies),
      windowWrites: stats.writes,
      watchEvents: stats.kube.watchEvents,
      podListsInWindow: stats.kube.listPods,
    };
    log(`N=${n}: reconciler latency ${JSON.stringify(latency)}`);

    // The naive poller under the same load: passes back to back over all active records.
    const naiveNames: string[] = [];
    const naiveTerminal = new Map<string, number>();
    const naiveEnd = Date.now() + window;
    let passes = 0;
    let passMs = 0;
    const creator = (async () => {
      for (let i = 0; i < latencyJobs && Date.now() < naiveEnd - window / 2; i++) {
        const [j] = await createJobs(ns, table, 1, '3s', 'naive', `nv-${id}-${i}`);
        if (j) naiveNames.push(j.name);
        await delay(spacing);
      }
    })();
    // Passes go on after the window until every naive job was seen finished (at most 2 more
    // passes and 8 minutes): at large N one pass outlasts the window.
    const hardEnd = naiveEnd + 8 * 60_000;
    let extra = 0;
    const unrecorded = () => naiveNames.some((name) => !naiveTerminal.has(name));
    while (Date.now() < naiveEnd || (unrecorded() && extra++ < 2 && Date.now() < hardEnd)) {
      const active = await activeRecords(queries);
      const pass = await naivePass(ns, table, active, naiveTerminal, `${ns}: naive pass ${passes + 1}`);
      passes++;
      passMs += pass.ms;
    }
    await creator;
    watchHandle.abort();
    const naiveLat: number[] = [];
    for (const name of naiveNames) {
      const end = terminated.get(name);
      const recorded = naiveTerminal.get(name);
      if (end && recorded) naiveLat.push(recorded - end);
    }
    const naiveLatency = {
      jobs: naiveNames.length,
      measured: naiveLat.length,
      p50Ms: percentile(naiveLat, 50),
      p95Ms: percentile(naiveLat, 95),
      passes,
      meanPassMs: Math.round(passMs / Math.max(1, passes)),
    };
    log(`N=${n}: naive latency ${JSON.stringify(naiveLatency)}`);
    return {
      n,
      readyJobs,
      setupSeconds,
      resync,
      quiet,
      scale,
      naive,
      latency,
      naiveLatency,
      latencySamplesMs: latencies,
      naiveLatencySamplesMs: naiveLat,
    };
  } finally {
    log(`N=${n}: cleaning up`);
    await retried(() => core.deleteNamespace({ name: ns })).catch((error) =>
      log(`namespace ${ns} not deleted: ${String(error)}`),
    );
    await dynamodb.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
    for (const name of nodes)
      await retried(() => core.deleteNode({ name })).catch((error) =>
        log(`node ${name} not deleted: ${String(error)}`),
      );
  }
}

const results: SizeResult[] = [];
for (const n of sizes) {
  if (Date.now() > benchDeadline) {
    log(`time budget spent; N=${n} skipped`);
    break;
  }
  const r = await benchSize(n);
  if (r) results.push(r);
}

const row = (cells: (string | number)[]): string => `| ${cells.join(' | ')} |`;
const fixed = (value: number | undefined, digits = 1) => (value ?? Number.NaN).toFixed(digits);
const scaleLines = [
  row([
    'N (running)',
    'quiet: LIST pages (N/500)',
    'jobs left alone',
    'wall s',
    'DynamoDB RRU: ours (measured)',
    'ours (computed)',
    'projection ALL (v1.2)',
    'index queries',
    'records by key',
    'bytes: record / entry',
    'heap MB before / peak / after',
    'RSS MB peak / after',
  ]),
  row(Array(12).fill('---')),
  ...results.flatMap((r) => {
    const s = r.scale;
    if (!s) return [];
    return [
      row([
        `${r.n} (${r.readyJobs})`,
        `${s.listPages} (${Math.ceil(r.n / 500)})`,
        s.quietJobs as number,
        fixed((s.quietWallMs as number) / 1000),
        s.readUnits as number,
        s.includeUnits as number,
        s.allProjectionUnits as number,
        s.readQueries as number,
        s.readItemsByKey as number,
        `${s.meanRecordBytes} / ${s.meanEntryBytes}`,
        `${fixed(s.heapBeforeMb, 0)} / ${fixed(s.heapPeakMb, 0)} / ${fixed(s.heapAfterMb, 0)}`,
        `${fixed(s.rssPeakMb, 0)} / ${fixed(s.rssAfterMb, 0)}`,
      ]),
    ];
  }),
  '',
];
const lines = [
  ...scaleLines,
  row([
    'N (running)',
    'resync: kube calls (LIST pages / pod LISTs / GETs)',
    'DynamoDB reads',
    'writes',
    'wall s',
    'quiet: kube calls',
    'quiet writes',
    'quiet wall s',
    'naive: GETs',
    'naive writes',
    'naive wall s',
  ]),
  row(Array(11).fill('---')),
  ...results.map((r) =>
    row([
      `${r.n} (${r.readyJobs})`,
      `${r.resync.kubeCalls} (${r.resync.listPages} / ${r.resync.podLists} / ${r.resync.jobGets})`,
      r.resync.dynamoReads as number,
      r.resync.writes as number,
      ((r.resync.wallMs as number) / 1000).toFixed(1),
      r.quiet.kubeCalls as number,
      r.quiet.writes as number,
      ((r.quiet.wallMs as number) / 1000).toFixed(1),
      r.naive.gets as number,
      r.naive.writes as number,
      ((r.naive.ms as number) / 1000).toFixed(1),
    ]),
  ),
  '',
  row([
    'N',
    'reconciler latency p50 / p95 ms (measured/jobs)',
    'naive latency p50 / p95 ms (measured/jobs)',
    'naive passes (mean ms)',
  ]),
  row(Array(4).fill('---')),
  ...results.map((r) =>
    row([
      r.n,
      `${r.latency.p50Ms} / ${r.latency.p95Ms} (${r.latency.measured}/${r.latency.jobs})`,
      `${r.naiveLatency.p50Ms} / ${r.naiveLatency.p95Ms} (${r.naiveLatency.measured}/${r.naiveLatency.jobs})`,
      `${r.naiveLatency.passes} (${r.naiveLatency.meanPassMs})`,
    ]),
  ),
];
console.log(lines.join('\n'));
console.log(JSON.stringify(results));
const figures: ReconcileFigures = {
  config: {
    sizes,
    latencyJobs,
    latencySeconds,
    maxMinutes: Number(args['max-minutes']),
  },
  results,
};
const report = await writeReport('reconcile', figures, reconcileCharts(figures));
console.log(`figures: ${report.json} (charts: ${report.pngs.join(', ')})`);
process.exit(0);
