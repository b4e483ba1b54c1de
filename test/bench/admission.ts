// Admission under load on the local stack (docs/admission.md, "Benchmark"): N queued jobs across
// owners with weights 1..4 in one namespace with a quota of Q active jobs, run to the end by
// reconcile invocations with their admission passes, as deployed. Prints admission decisions per
// second (of pass time, and end to end), wait percentiles and each owner's share against its
// weight while every owner still waits; writes bench-results/admission.json and charts.
//
//   node_modules/.bin/node test/bench/admission.ts [--jobs 10000] [--owners 20] [--quota 200]
import { parseArgs } from 'node:util';
import type { JobRecord } from '../../shared/core/job/record.ts';
import { isTerminal } from '../../shared/core/job/state.ts';
import type { AdmissionStats } from '../../shared/runtime/admission-pass.ts';
import { mapPool } from '../../shared/runtime/pool.ts';
import {
  cancelAll,
  job,
  policyWith,
  reconcileWithStats,
  resetUsage,
  submitter,
} from '../integration/admission/support.ts';
import { uid } from '../integration/submit/support.ts';
import { bars, createProgress, ratePoints, samples, writeReport } from './report/index.ts';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '10000' },
    owners: { type: 'string', default: '20' },
    quota: { type: 'string', default: '200' },
    namespace: { type: 'string', default: 'jobs-extra' },
    'max-minutes': { type: 'string', default: '40' },
  },
});
const N = Number(values.jobs);
const OWNERS = Number(values.owners);
const QUOTA = Number(values.quota);
const NS = values.namespace as string;
/** Kueue's published figure (about 43 admissions/s for 15,000 workloads on envtest): quoted, not measured here. */
const KUEUE_ADMISSIONS_PER_SECOND = 43;

const run = uid('bench');
const owners = Array.from({ length: OWNERS }, (_, i) => `${run}-o${i}`);
const weights = Object.fromEntries(owners.map((o, i) => [o, 1 + (i % 4)]));
const policy = policyWith({ quotas: { namespaces: { [NS]: { maxActiveJobs: QUOTA } } }, weights });
const ids = Array.from({ length: N }, (_, i) => `${run}-${i}`);
const progress = createProgress();
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number) : Number.NaN;
};

async function main(): Promise<void> {
  await Promise.all([`namespace#${NS}`, ...owners.map((o) => `share#${NS}#${o}`)].map(resetUsage));
  // Queue everything first (no admission pass), round-robin over the owners: each floods the queue.
  const submit = submitter(policy, { admit: false });
  // TTL 0: a finished Job goes once reconcile has recorded it (our finalizer holds it until then).
  const bodies = ids.map((id, i) =>
    job(id, owners[i % OWNERS] as string, '1s', { namespace: NS, ttlSecondsAfterFinished: 0 }),
  );
  const batches = Array.from({ length: Math.ceil(N / 10) }, (_, i) => bodies.slice(i * 10, i * 10 + 10));
  let queued = 0;
  const queueStart = Date.now();
  await mapPool(batches, 8, async (batch) => {
    const failed = await submit(batch);
    if (failed.length > 0) throw new Error(`submit left ${failed.length} for a retry`);
    queued += batch.length;
    progress('queued', queued, N);
  });
  progress.end();
  const queueSeconds = (Date.now() - queueStart) / 1000;

  const passes: AdmissionStats[] = [];
  const start = Date.now();
  const deadline = start + Number(values['max-minutes']) * 60_000;
  let records: JobRecord[] = [];
  while (Date.now() < deadline) {
    passes.push(...(await reconcileWithStats(policy, 20_000)).passes);
    records = await readAll();
    const done = records.filter((r) => isTerminal(r.state)).length;
    progress('finished', done, N, `${passes.reduce((n, p) => n + p.admitted, 0)} admitted`);
    if (done === N) break;
  }
  progress.end();
  report(records, passes, { queueSeconds, runSeconds: (Date.now() - start) / 1000 });
}

async function readAll(): Promise<JobRecord[]> {
  const { queries } = await import('../integration/reconcile/support.ts');
  const out: JobRecord[] = [];
  for (let i = 0; i < ids.length; i += 100)
    out.push(...(await queries.getJobs(ids.slice(i, i + 100))).values());
  return out;
}

function report(
  records: JobRecord[],
  passes: AdmissionStats[],
  times: { queueSeconds: number; runSeconds: number },
) {
  const admitted = records.flatMap((r) => {
    const at = r.history.find((h) => h.reason === 'Admitted')?.at;
    return at
      ? [{ owner: r.owner, at: Date.parse(at), wait: (Date.parse(at) - Date.parse(r.createdAt)) / 1000 }]
      : [];
  });
  admitted.sort((a, b) => a.at - b.at);
  const waits = admitted.map((a) => a.wait);
  const passSeconds = passes.reduce((s, p) => s + p.ms, 0) / 1000;
  const passAdmitted = passes.reduce((n, p) => n + p.admitted, 0);
  const span =
    admitted.length > 1 ? ((admitted.at(-1)?.at ?? 0) - (admitted[0]?.at ?? 0)) / 1000 : Number.NaN;
  // Fair share while every owner still waits: up to the first owner's last admission.
  const lastOf = new Map<string, number>();
  for (const a of admitted) lastOf.set(a.owner, a.at);
  const contendedUntil = Math.min(...lastOf.values());
  const contended = admitted.filter((a) => a.at <= contendedUntil);
  const totalWeight = Object.values(weights).reduce((s, w) => s + w, 0);
  const shares = owners.map((o) => {
    const share = contended.filter((a) => a.owner === o).length / Math.max(1, contended.length);
    const want = (weights[o] as number) / totalWeight;
    return { owner: o, weight: weights[o] as number, share, want, deviation: Math.abs(share - want) / want };
  });
  const figures = {
    jobs: N,
    owners: OWNERS,
    quota: QUOTA,
    finished: records.filter((r) => isTerminal(r.state)).length,
    admitted: admitted.length,
    queueSeconds: times.queueSeconds,
    runSeconds: times.runSeconds,
    passes: passes.length,
    passMsMedian: pct(
      passes.map((p) => p.ms),
      50,
    ),
    queueReadPerPassMedian: pct(
      passes.map((p) => p.queued),
      50,
    ),
    decisionsPerPassSecond: passAdmitted / passSeconds,
    admissionsPerSecondEndToEnd: admitted.length / span,
    kueueBaselineAdmissionsPerSecond: KUEUE_ADMISSIONS_PER_SECOND,
    waitSeconds: { p50: pct(waits, 50), p95: pct(waits, 95), p99: pct(waits, 99), max: Math.max(...waits) },
    fairness: {
      contendedAdmissions: contended.length,
      maxDeviation: Math.max(...shares.map((s) => s.deviation)),
      shares,
    },
  };
  console.log(JSON.stringify({ ...figures, fairness: { ...figures.fairness, shares: undefined } }, null, 2));
  console.table(
    shares.map((s) => ({
      ...s,
      share: s.share.toFixed(3),
      want: s.want.toFixed(3),
      deviation: s.deviation.toFixed(3),
    })),
  );
  return writeReport('admission', figures, [
    {
      id: 'waits',
      kind: 'latency',
      title: 'Wait in the queue (s)',
      unit: 's',
      samples: samples('ours', waits),
    },
    {
      id: 'throughput',
      kind: 'throughput',
      title: 'Admissions per second',
      unit: 'admissions/s',
      points: ratePoints(
        'ours',
        admitted.map((a) => a.at),
        admitted[0]?.at ?? 0,
        5000,
      ),
    },
    {
      id: 'rates',
      kind: 'bars',
      title: 'Admission decisions per second',
      baseline: 'Kueue (published)',
      bars: [
        ...bars('decisions per second of pass time', {
          'Kueue (published)': KUEUE_ADMISSIONS_PER_SECOND,
          ours: figures.decisionsPerPassSecond,
        }),
        ...bars('admissions per second, end to end', {
          'Kueue (published)': KUEUE_ADMISSIONS_PER_SECOND,
          ours: figures.admissionsPerSecondEndToEnd,
        }),
      ],
    },
  ]).then((written) => console.log(`wrote ${written.json}`));
}

try {
  await main();
} finally {
  // What did not finish must not run later.
  await cancelAll(ids);
}
