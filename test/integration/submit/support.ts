// Shared pieces of the submit integration tests: the local stack, the handler under test
// (runner identity), admin clients for setup and inspection, and bounded polling.
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  AdmissionregistrationV1Api,
  BatchV1Api,
  CoreV1Api,
  KubeConfig,
  type V1Job,
} from '@kubernetes/client-node';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { SubmitDeps } from '../../../functions/submit/deps.ts';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client.ts';
import { DynamoDbJobQueries } from '../../../shared/adapters/dynamodb/job-queries.ts';
import { DynamoDbJobStore } from '../../../shared/adapters/dynamodb/job-store.ts';
import { KubeClient } from '../../../shared/adapters/kubernetes/client.ts';
import { jobName } from '../../../shared/core/job/name.ts';
import type { JobRecord } from '../../../shared/core/job/record.ts';
import type { Log } from '../../../shared/core/ports.ts';
import { type Policy, type PolicyInput, parsePolicy } from '../../../shared/core/submit/policy.ts';
import { deleteJobForGood } from '../../support/kube.ts';
import { loadLocalStack } from '../../support/local-stack.ts';

export const repoRoot = resolve(import.meta.dirname, '../../..');
export const stack = loadLocalStack();
export const EXAMPLE_POLICY_FILE = resolve(repoRoot, 'docs/examples/policy.json');

/** The environment the deployed function gets, pointed at the local stack. */
export function functionEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    JOBS_TABLE_NAME: stack.aws.tableName,
    JOBS_NAMESPACES: stack.jobsNamespaces.join(','),
    CLUSTER_ACCESS: 'kubeconfig',
    KUBECONFIG: stack.kubeconfigs.submit,
    AWS_ENDPOINT_URL: stack.aws.endpoint,
    AWS_REGION: stack.aws.region,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    JOB_POLICY_FILE: EXAMPLE_POLICY_FILE,
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
    ...extra,
  };
}

type Handler = (
  event: SQSEvent,
  context?: unknown,
) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;
let handlerPromise: Promise<Handler> | undefined;

/** The real handler module (functions/submit/handler.ts) with the example policy, imported once. */
export function submitHandler(): Promise<Handler> {
  handlerPromise ??= (async () => {
    Object.assign(process.env, functionEnv());
    const mod = (await import('../../../functions/submit/handler.ts')) as { handler: Handler };
    return mod.handler;
  })();
  return handlerPromise;
}

export const context = (ms = 30_000) => ({ getRemainingTimeInMillis: () => ms });

const adminConfig = new KubeConfig();
adminConfig.loadFromFile(stack.adminKubeconfig);
export const admin = {
  batch: adminConfig.makeApiClient(BatchV1Api),
  core: adminConfig.makeApiClient(CoreV1Api),
};
export const admission = adminConfig.makeApiClient(AdmissionregistrationV1Api);

// moto takes any credentials; never let a developer's real ones be picked up
process.env.AWS_ACCESS_KEY_ID = 'test';
process.env.AWS_SECRET_ACCESS_KEY = 'test';
delete process.env.AWS_SESSION_TOKEN;
delete process.env.AWS_PROFILE;
export const documentClient = createDocumentClient({
  endpoint: stack.aws.endpoint,
  region: stack.aws.region,
});
export const store = new DynamoDbJobStore(documentClient, stack.aws.tableName);

const quiet: Log = { info() {}, warn() {}, error() {}, child: () => quiet };

/** Real adapters (runner identity) around the core, with a policy of the test's own. */
export function realDeps(policyInput: PolicyInput, namespaces = stack.jobsNamespaces): SubmitDeps {
  const kc = new KubeConfig();
  kc.loadFromFile(stack.kubeconfigs.submit);
  return {
    store,
    reader: new DynamoDbJobQueries(documentClient, stack.aws.tableName),
    kube: new KubeClient(kc),
    policy: parsePolicy(policyInput, namespaces) as Policy,
    log: quiet,
    count: () => {},
    now: () => new Date(),
  };
}

export const uid = (prefix: string) => `it-${prefix}-${randomUUID().slice(0, 8)}`;

let seq = 0;
export function sqsRecord(body: unknown, messageId = randomUUID()): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${++seq}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:eks-job-runner-jobs',
    awsRegion: 'us-east-1',
  };
}
export const sqsEvent = (records: SQSRecord[]): SQSEvent => ({ Records: records });

/** Polls until `probe` returns a value, at most `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  everyMs = 250,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await delay(everyMs);
  }
}

export const getRecord = (jobId: string): Promise<JobRecord | undefined> => store.get(jobId);

/**
 * The Jobs of this jobId not being deleted. A deleted Job stays, its pods stopped, until
 * reconcile has recorded its outcome and releases our finalizer.
 */
export async function liveJobsFor(jobId: string): Promise<V1Job[]> {
  return (await jobsFor(jobId)).filter((job) => !job.metadata?.deletionTimestamp);
}

/** The Jobs in the jobs namespaces that carry this jobId's name. */
export async function jobsFor(jobId: string): Promise<V1Job[]> {
  const name = jobName(jobId);
  const lists = await Promise.all(
    stack.jobsNamespaces.map((namespace) =>
      admin.batch.listNamespacedJob({ namespace, fieldSelector: `metadata.name=${name}` }),
    ),
  );
  return lists.flatMap((l) => l.items);
}

export async function jobFinished(job: V1Job): Promise<string | undefined> {
  const fresh = await admin.batch.readNamespacedJob({
    namespace: job.metadata?.namespace ?? '',
    name: job.metadata?.name ?? '',
  });
  const done = fresh.status?.conditions?.find(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
  return done?.type;
}

/** Deletes what a test created (Jobs with their pods); records expire by themselves. */
export async function cleanup(jobIds: Iterable<string>): Promise<void> {
  for (const jobId of jobIds) {
    for (const job of await jobsFor(jobId)) {
      await deleteJobForGood(admin, job.metadata?.namespace ?? '', job.metadata?.name ?? '');
    }
  }
}
