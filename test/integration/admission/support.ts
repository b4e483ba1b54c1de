// The admission tests' harness on the local stack: the submit core and the reconciler with real
// adapters (the runner identities, the real table, kube-apiserver, Job controller, kwok), each
// with its own admission passes, as the deployed functions have them.
import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { type ReconcileStats, reconcile } from '../../../functions/reconcile/reconciler.ts';
import { runBatch } from '../../../functions/submit/batch.ts';
import type { SubmitDeps } from '../../../functions/submit/deps.ts';
import { DynamoDbAdmissionStore } from '../../../shared/adapters/dynamodb/admission-store.ts';
import { KubeClient } from '../../../shared/adapters/kubernetes/client.ts';
import type { JobRecord } from '../../../shared/core/job/record.ts';
import type { Log } from '../../../shared/core/ports.ts';
import { type Policy, type PolicyInput, parsePolicy } from '../../../shared/core/submit/policy.ts';
import {
  type AdmissionStats,
  type AdmitterDeps,
  admissionPass,
} from '../../../shared/runtime/admission-pass.ts';
import { AdmissionTrigger } from '../../../shared/runtime/admission-trigger.ts';
import { FAST_CONFIG, reconcilerDeps } from '../reconcile/support.ts';
import { documentClient, EXAMPLE_POLICY_FILE, realDeps, sqsRecord, stack, store } from '../submit/support.ts';

const quiet: Log = { info() {}, warn() {}, error() {}, child: () => quiet };
export const IMAGE = 'public.ecr.aws/docker/library/busybox:1.36';
export const NS = stack.jobsNamespaces[0] ?? 'jobs';
export const admissionStore = new DynamoDbAdmissionStore(documentClient, stack.aws.tableName);

/** The example policy with the test's admission settings. */
export function policyWith(admission: PolicyInput['admission']): Policy {
  const example = JSON.parse(readFileSync(EXAMPLE_POLICY_FILE, 'utf8')) as PolicyInput;
  return parsePolicy({ ...example, admission }, stack.jobsNamespaces);
}

function admitterDeps(policy: Policy, kubeconfig: string, reader = realDeps({}).reader): AdmitterDeps {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  return {
    admission: admissionStore,
    store,
    reader: reader as AdmitterDeps['reader'],
    kube: new KubeClient(kc),
    policy,
    log: quiet,
    now: () => new Date(),
  };
}

/** One admission pass as submit's identity makes it (RBAC: submit's Role). */
export const passAsSubmit = (policy: Policy) => admissionPass(admitterDeps(policy, stack.kubeconfigs.submit));

/** The submit core with its admission pass after each batch; `admit: false` leaves jobs queued. */
export function submitter(policy: Policy, { admit = true } = {}) {
  const deps: SubmitDeps = { ...realDeps({}), policy };
  if (admit) {
    const trigger = new AdmissionTrigger(() => passAsSubmit(policy), quiet);
    deps.admit = () => {
      trigger.request();
      return trigger.settle();
    };
  }
  return async (bodies: object[]): Promise<string[]> => {
    const out = await runBatch(
      deps,
      bodies.map((b) => sqsRecord(b)),
      { concurrency: 4, deadline: Date.now() + 25_000 },
    );
    return out.batchItemFailures.map((f) => f.itemIdentifier);
  };
}

/** A reconcile invocation (a window of watching) with reconcile's admission passes. */
export async function reconcileFor(policy: Policy, windowMs: number): Promise<ReconcileStats> {
  return (await reconcileWithStats(policy, windowMs)).stats;
}

/** The same, with the figures of each admission pass it made. */
export async function reconcileWithStats(
  policy: Policy,
  windowMs: number,
): Promise<{ stats: ReconcileStats; passes: AdmissionStats[] }> {
  const deps = reconcilerDeps();
  const passes: AdmissionStats[] = [];
  const pass = () => admissionPass(admitterDeps(policy, stack.kubeconfigs.reconcile));
  const admission = new AdmissionTrigger(pass, quiet, (s) => passes.push(s));
  const stats = await reconcile(
    { ...deps, admission },
    { namespaces: stack.jobsNamespaces, windowMs, config: FAST_CONFIG },
  );
  return { stats, passes };
}

export const job = (jobId: string, owner: string, duration = '1s', extra: Record<string, unknown> = {}) => ({
  jobId,
  owner,
  image: IMAGE,
  command: ['true'],
  podAnnotations: { 'outcome.local/duration': duration },
  ...extra,
});

export const records = async (ids: readonly string[]): Promise<JobRecord[]> =>
  Promise.all(ids.map(async (id) => (await store.get(id)) as JobRecord));

/** The largest number of jobs that held admission at once, from their records' history. */
export function maxConcurrent(list: readonly JobRecord[]): number {
  const edges = list.flatMap((r) => {
    const admitted = r.history.find((h) => h.reason === 'Admitted')?.at;
    const ended = r.history.at(-1)?.at;
    return admitted && ended
      ? [
          { t: admitted, d: 1 },
          { t: ended, d: -1 },
        ]
      : [];
  });
  edges.sort((a, b) => a.t.localeCompare(b.t) || a.d - b.d);
  let now = 0;
  let max = 0;
  for (const e of edges) {
    now += e.d;
    max = Math.max(max, now);
  }
  return max;
}

/** Clears a scope's usage counter: only these tests use namespace quotas, and a failed run leaves counts. */
export async function resetUsage(scope: string): Promise<void> {
  const { DeleteCommand } = await import('@aws-sdk/lib-dynamodb');
  await documentClient.send(
    new DeleteCommand({ TableName: stack.aws.tableName, Key: { jobId: `#usage#${scope}` } }),
  );
}

/** Cancels the given jobs (those still active): what a test leaves queued must not run later. */
export async function cancelAll(ids: Iterable<string>): Promise<void> {
  const cancel = submitter(policyWith({}), { admit: false });
  const bodies = [...ids].map((jobId) => ({ action: 'cancel', jobId, requestedBy: 'it-cleanup' }));
  for (let i = 0; i < bodies.length; i += 10) await cancel(bodies.slice(i, i + 10));
}
