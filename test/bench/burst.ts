// Status latency in a burst, end to end on the local stack (prints figures; not a timed test).
//
//   node_modules/.bin/node test/bench/burst.ts [--jobs 1000] [--rate 10] [--duplicates 0.3]
//                                              [--deletes 20] [--modes baseline,handoff]
//                                              [--max-minutes 12]
//
// Per mode, the runtime runs submit and reconcile as deployed (reconcile every 60 s), and:
//   1. `--jobs` jobs of 1-5 s are sent at `--rate` messages a second, a share of them twice
//      (`--duplicates`), so that jobs finish while submits run, inside and between reconcile's
//      invocations;
//   2. `--deletes` long jobs are deleted out of band (kubectl delete, by the admin) once running;
//   3. from the pod finished (first seen by an admin pod watch) to the terminal entry of its
//      record; from the delete's answer to the LOST entry.
// Modes: `baseline` is the reconciler without the handoff (RECONCILE_HANDOFF=false, a 50 s window
// each minute, a fresh list each invocation); `handoff` is the default. The figures go to
// bench-results/burst.json, with PNG charts beside it (test/bench/figures/burst.ts).
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { KubeConfig, type V1Pod, Watch } from '@kubernetes/client-node';
import { DynamoDbJobQueries } from '../../shared/adapters/dynamodb/job-queries.ts';
import { LABELS } from '../../shared/core/job/labels.ts';
import { jobName, labelValue } from '../../shared/core/job/name.ts';
import type { JobRecord } from '../../shared/core/job/record.ts';
import { isTerminal } from '../../shared/core/job/state.ts';
import { mapPool } from '../../shared/runtime/pool.ts';
import { buildBundles, createQueues, sendAll, startRuntime } from '../integration/submit/pipeline.ts';
import { admin, documentClient, stack } from '../integration/submit/support.ts';
import {
  type BurstFigures,
  burstCharts,
  type Finish,
  latencies,
  lostSeconds,
  type ModeResult,
  type Span,
  summary,
} from './figures/burst.ts';
import { progress, writeReport } from './report/index.ts';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '10' },
    duplicates: { type: 'string', default: '0.3' },
    deletes: { type: 'string', default: '20' },
    modes: { type: 'string', default: 'baseline,handoff' },
    'max-minutes': { type: 'string', default: '12' },
  },
});
const JOBS = Math.min(5000, Number(values.jobs));
const RATE = Math.max(1, Number(values.rate));
const DUPLICATES = Math.min(1, Math.max(0, Number(values.duplicates)));
const DELETES = Math.min(200, Number(values.deletes));
const MAX_MS = Number(values['max-minutes']) * 60_000;
const MODES: Record<string, { args: string[]; env: Record<string, string> }> = {
  baseline: { args: ['--reconcile-window', '50'], env: { RECONCILE_HANDOFF: 'false' } },
  handoff: { args: [], env: { RECONCILE_HANDOFF: 'true' } },
};
const namespace = stack.jobsNamespaces[0] as string;
const reader = new DynamoDbJobQueries(documentClient, stack.aws.tableName);
const adminKc = new KubeConfig();
adminKc.loadFromFile(stack.adminKubeconfig);

function log(message: string): void {
  progress.end();
  process.stderr.write(`[burst ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

const body = (jobId: string, owner: string, duration: string) =>
  JSON.stringify({
    jobId,
    owner,
    namespace,
    image: 'public.ecr.aws/docker/library/busybox:1.36',
    command: ['sh', '-c', 'true'],
    podAnnotations: { 'outcome.local/duration': duration },
  });

/** The bodies in sending order: every job once, a share again some 50 messages later. */
function messages(ids: string[], owner: string): string[] {
  const out: string[] = [];
  ids.forEach((id, i) => {
    out.push(body(id, owner, `${1000 + ((i * 7919) % 4000)}ms`));
    const again = ids[i - 50];
    if (again && ((i - 50) * 2654435761) % 1000 < DUPLICATES * 1000) out.push(out[out.length - 51] as string);
  });
  return out;
}

/** Watches the namespace's pods; notes when each of `names` is first seen finished. */
function watchPods(names: Set<string>): { finished: Map<string, number>; stop(): void } {
  const finished = new Map<string, number>();
  let request: { abort(): void } | undefined;
  let stopped = false;
  const start = async () => {
    while (!stopped) {
      await new Promise<void>((resolve) => {
        new Watch(adminKc)
          .watch(
            `/api/v1/namespaces/${namespace}/pods`,
            {},
            (_type: string, pod: V1Pod) => {
              const name = pod.metadata?.labels?.['batch.kubernetes.io/job-name'] ?? '';
              const phase = pod.status?.phase;
              if (names.has(name) && !finished.has(name) && (phase === 'Succeeded' || phase === 'Failed'))
                finished.set(name, Date.now());
            },
            () => resolve(),
          )
          .then(
            (r) => {
              request = r;
            },
            () => resolve(),
          );
      });
    }
  };
  void start();
  return {
    finished,
    stop: () => {
      stopped = true;
      request?.abort();
    },
  };
}

/** The time of the first history entry in `state`s. */
const entryAt = (record: JobRecord, states: readonly string[]): number | undefined => {
  const entry = record.history.find((h) => states.includes(h.state));
  return entry ? Date.parse(entry.at) : undefined;
};

async function runMode(mode: string, dist: string): Promise<ModeResult> {
  const setting = MODES[mode];
  if (!setting) throw new Error(`unknown mode ${mode}`);
  const run = randomUUID().slice(0, 6);
  const owner = `burst-${run}`;
  const ids = Array.from({ length: JOBS }, (_, i) => `burst-${run}-${i}`);
  const longIds = Array.from({ length: DELETES }, (_, i) => `burst-${run}-long-${i}`);
  const names = new Map(ids.map((id) => [jobName(id), id]));
  const pods = watchPods(new Set(names.keys()));
  const queues = await createQueues(`burst-${mode}`, { visibilityTimeoutSeconds: 30 });
  const started = startRuntime(queues, dist, {
    concurrency: 4,
    args: [
      '--functions',
      'submit,reconcile',
      '--schedule-period',
      '60',
      '--first-firing',
      'immediately',
      ...setting.args,
    ],
    env: setting.env,
  });
  // stop() twice would wait for a second exit: once only.
  const stopping = { promise: undefined as Promise<void> | undefined };
  const runtime = { lines: started.lines, stop: () => (stopping.promise ??= started.stop()) };
  const deadline = Date.now() + MAX_MS;
  try {
    await sendAll(
      queues.url,
      longIds.map((id) => body(id, owner, '600s')),
    );
    const bodies = messages(ids, owner);
    const sendStart = Date.now();
    const sending = (async () => {
      for (let i = 0; i < bodies.length; i += RATE) {
        await delay(Math.max(0, sendStart + (i / RATE) * 1000 - Date.now()));
        await sendAll(queues.url, bodies.slice(i, i + RATE));
        progress(`${mode}: sent`, Math.min(bodies.length, i + RATE), bodies.length);
      }
    })();
    const lost = await deleteWhenRunning(longIds, deadline);
    await sending;
    const submitSeconds = (Date.now() - sendStart) / 1000;
    log(`${mode}: ${bodies.length} messages sent in ${submitSeconds.toFixed(0)} s`);
    const records = await untilTerminal([...ids, ...longIds], deadline, mode);
    const finishes: Finish[] = [];
    for (const [name, id] of names) {
      const record = records.get(id);
      const podFinishedAt = pods.finished.get(name);
      const recordedAt = record && entryAt(record, ['SUCCEEDED', 'FAILED', 'TIMED_OUT']);
      if (podFinishedAt && recordedAt) finishes.push({ jobId: id, podFinishedAt, recordedAt });
    }
    for (const l of lost) l.lostAt = entryAt(records.get(l.jobId) as JobRecord, ['LOST']) ?? Number.NaN;
    // The invocation running now is reported once the runtime has stopped.
    await runtime.stop();
    return {
      mode,
      settings: { ...setting.env, args: setting.args.join(' ') },
      jobs: JOBS,
      messages: bodies.length,
      submitSeconds,
      invocations: invocationsOf(runtime.lines),
      finishes,
      lost,
      unfinished: JOBS - finishes.length,
    };
  } finally {
    pods.stop();
    await runtime.stop();
    await queues.delete();
    await deleteJobs(owner);
  }
}

/** Deletes the long jobs out of band once their records say RUNNING. */
async function deleteWhenRunning(
  longIds: string[],
  deadline: number,
): Promise<Array<{ jobId: string; deletedAt: number; lostAt: number }>> {
  while (Date.now() < deadline) {
    const records = await reader.getJobs(longIds);
    if (longIds.every((id) => records.get(id)?.state === 'RUNNING')) break;
    await delay(2000);
  }
  await delay(15_000); // into the burst: the deletes land while submits and finishes run
  return mapPool(longIds, 10, async (jobId) => {
    await admin.batch.deleteNamespacedJob({
      namespace,
      name: jobName(jobId),
      propagationPolicy: 'Background',
    });
    return { jobId, deletedAt: Date.now(), lostAt: Number.NaN };
  });
}

async function untilTerminal(ids: string[], deadline: number, mode: string): Promise<Map<string, JobRecord>> {
  const done = new Map<string, JobRecord>();
  while (done.size < ids.length && Date.now() < deadline) {
    const open = ids.filter((id) => !done.has(id));
    const found = await reader.getJobs(open);
    for (const [id, record] of found) if (isTerminal(record.state)) done.set(id, record);
    progress(`${mode}: terminal records`, done.size, ids.length);
    if (done.size < ids.length) await delay(3000);
  }
  if (done.size < ids.length)
    log(`${mode}: ${ids.length - done.size} records not terminal by the time limit`);
  return done;
}

function invocationsOf(lines: readonly string[]): Span[] {
  const spans: Span[] = [];
  for (const line of lines) {
    try {
      const event = JSON.parse(line) as {
        event?: string;
        functionName?: string;
        scheduledAt?: number;
        durationMs?: number;
      };
      if (
        event.event === 'invocation' &&
        event.functionName === 'reconcile' &&
        event.scheduledAt !== undefined
      )
        spans.push({ start: event.scheduledAt, end: event.scheduledAt + (event.durationMs ?? 0) });
    } catch {
      // not a JSON line
    }
  }
  return spans;
}

async function deleteJobs(owner: string): Promise<void> {
  await admin.batch
    .deleteCollectionNamespacedJob({
      namespace,
      labelSelector: `${LABELS.owner}=${labelValue(owner)}`,
      propagationPolicy: 'Background',
    })
    .catch(() => {});
}

const fmt = (s: number) => `${s.toFixed(1)} s`;
function print(result: ModeResult): void {
  const { all, between } = latencies(result);
  const a = summary(all);
  const b = summary(between);
  const l = summary(lostSeconds(result));
  const gaps = result.invocations
    .slice(1)
    .map((s, i) => (s.start - (result.invocations[i] as Span).end) / 1000);
  console.log(
    `${result.mode.padEnd(9)} pod finished -> terminal record: p50 ${fmt(a.p50)}  p95 ${fmt(a.p95)}  p99 ${fmt(a.p99)}  max ${fmt(a.max)}  (${a.n} jobs, ${result.unfinished} unmeasured)`,
  );
  console.log(
    `${''.padEnd(9)} finished between invocations: ${b.n} jobs, p50 ${fmt(b.p50)}  p95 ${fmt(b.p95)}  max ${fmt(b.max)}; gaps between invocations: median ${fmt(summary(gaps).p50)}, max ${fmt(summary(gaps).max)}`,
  );
  console.log(
    `${''.padEnd(9)} out-of-band delete -> LOST: p50 ${fmt(l.p50)}  max ${fmt(l.max)}  (${l.n} jobs)`,
  );
}

const modes = values.modes.split(',').filter(Boolean);
console.log(
  `# burst benchmark: ${JOBS} jobs of 1-5 s at ${RATE} msg/s (${Math.round(DUPLICATES * 100)}% sent twice), ${DELETES} deleted out of band; modes ${modes.join(', ')}`,
);
const dist = await buildBundles();
const figures: BurstFigures = {
  config: { jobs: JOBS, rate: RATE, duplicates: DUPLICATES, deletes: DELETES },
  modes: [],
};
for (const mode of modes) {
  const result = await runMode(mode, dist);
  figures.modes.push(result);
  print(result);
}
const report = await writeReport('burst', figures, burstCharts(figures));
console.log(`figures   ${report.json} (charts: ${report.pngs.join(', ')})`);
process.exit(0);
