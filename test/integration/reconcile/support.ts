import { randomUUID } from 'node:crypto';
import {
  DeleteRuleCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { BatchV1Api, CoreV1Api, KubeConfig, type V1Job, type V1Pod } from '@kubernetes/client-node';
import type {
  ReconcileOptions,
  ReconcilerDeps,
  ReconcileStats,
} from '../../../functions/reconcile/reconciler.ts';
import { reconcile } from '../../../functions/reconcile/reconciler.ts';
import { DUMMY_CREDENTIALS } from '../../../infra/local/aws/client-config.ts';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client.ts';
import { DynamoDbJobQueries } from '../../../shared/adapters/dynamodb/job-queries.ts';
import { DynamoDbJobStore } from '../../../shared/adapters/dynamodb/job-store.ts';
import { KubeWatchClient } from '../../../shared/adapters/kubernetes/watch-client.ts';
import { EVENT_SOURCE, STATE_CHANGE_DETAIL_TYPE } from '../../../shared/core/job/events.ts';
import { ANNOTATIONS, FINALIZER, LABELS, MANAGER } from '../../../shared/core/job/labels.ts';
import { jobName as jobNameOf } from '../../../shared/core/job/name.ts';
import type { JobRecord } from '../../../shared/core/job/record.ts';
import { DEFAULT_RECONCILE_CONFIG, type ReconcileConfig } from '../../../shared/core/reconcile/plan.ts';
import { submittedRecord } from '../../../shared/core/submit/records.ts';
import { tapQueueClient } from '../../support/bus-tap.ts';
import { deleteJobForGood, eventually, restrictedPodSpec } from '../../support/kube.ts';
import { type LocalStack, loadLocalStack } from '../../support/local-stack.ts';
import { startStreamPublisher } from '../../support/stream-publisher.ts';

export { eventually };

export const stack: LocalStack = loadLocalStack();
export const NS = stack.jobsNamespaces[0] ?? 'jobs';

function kubeConfig(file: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  return kc;
}

export const adminKc = kubeConfig(stack.adminKubeconfig);
export const adminBatch = adminKc.makeApiClient(BatchV1Api);
export const adminCore = adminKc.makeApiClient(CoreV1Api);

const aws = { endpoint: stack.aws.endpoint, region: stack.aws.region, credentials: { ...DUMMY_CREDENTIALS } };
process.env.AWS_ACCESS_KEY_ID ??= DUMMY_CREDENTIALS.accessKeyId;
process.env.AWS_SECRET_ACCESS_KEY ??= DUMMY_CREDENTIALS.secretAccessKey;
export const documentClient = createDocumentClient({ endpoint: aws.endpoint, region: aws.region });
export const store = new DynamoDbJobStore(documentClient, stack.aws.tableName);
export const queries = new DynamoDbJobQueries(documentClient, stack.aws.tableName);
export const eventBridge = new EventBridgeClient(aws);
/** The event taps' queues are on moto's SQS: only there does moto's EventBridge deliver (bus-tap.ts). */
const tapSqs = tapQueueClient(stack);

/** Dependencies of the code under test: the runner identity, the real table and bus. */
export function reconcilerDeps(): ReconcilerDeps & { kube: KubeWatchClient; reader: DynamoDbJobQueries } {
  return {
    kube: new KubeWatchClient(kubeConfig(stack.kubeconfigs.reconcile)),
    store,
    reader: new DynamoDbJobQueries(documentClient, stack.aws.tableName),
  };
}

export const FAST_CONFIG: ReconcileConfig = {
  ...DEFAULT_RECONCILE_CONFIG,
  lostGraceSeconds: 2,
  retentionSeconds: 3600,
};

/** One reconcile invocation with a short window (the resync alone when windowMs is 0). */
export function runReconcile(
  options: Partial<ReconcileOptions> = {},
  deps = reconcilerDeps(),
): Promise<ReconcileStats> {
  return reconcile(deps, { namespaces: stack.jobsNamespaces, windowMs: 0, config: FAST_CONFIG, ...options });
}

export interface TestJob {
  jobId: string;
  jobName: string;
  owner: string;
  namespace: string;
}

export function uniqueJob(prefix: string, namespace = NS): TestJob {
  const jobId = `${prefix}-${randomUUID().slice(0, 8)}`;
  return { jobId, jobName: jobNameOf(jobId), owner: `team-${prefix}`, namespace };
}

/** A Job as the submit path renders it (managed labels and annotations, PodSecurity restricted). */
export function jobManifest(
  t: TestJob,
  options: {
    podAnnotations?: Record<string, string>;
    spec?: Partial<NonNullable<V1Job['spec']>>;
    nodeSelector?: Record<string, string>;
    /** False for a Job made before our finalizer existed (submit sets it on the Job and its pods). */
    held?: boolean;
  } = {},
): V1Job {
  const finalizers = options.held === false ? undefined : [FINALIZER];
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: t.jobName,
      namespace: t.namespace,
      finalizers,
      labels: { [LABELS.managedBy]: MANAGER, [LABELS.jobKey]: t.jobName, [LABELS.owner]: t.owner },
      annotations: {
        [ANNOTATIONS.jobId]: t.jobId,
        [ANNOTATIONS.owner]: t.owner,
        [ANNOTATIONS.requestHash]: 'test-hash',
        [ANNOTATIONS.submittedAt]: new Date().toISOString(),
      },
    },
    spec: {
      backoffLimit: 0,
      ...options.spec,
      template: {
        metadata: {
          finalizers,
          labels: { [LABELS.managedBy]: MANAGER, [LABELS.jobKey]: t.jobName },
          annotations: options.podAnnotations,
        },
        spec: restrictedPodSpec(
          {
            image: 'registry.local/worker:1',
            securityContext: {
              allowPrivilegeEscalation: false,
              capabilities: { drop: ['ALL'] },
              readOnlyRootFilesystem: true,
            },
            resources: { requests: { cpu: '10m', memory: '16Mi' } },
          },
          { nodeSelector: options.nodeSelector },
        ),
      },
    },
  };
}

/** What the submit path does: the record (SUBMITTED), then the Job. */
export async function submit(t: TestJob, manifest: V1Job, withRecord = true): Promise<void> {
  if (withRecord) {
    const record = submittedRecord({
      jobId: t.jobId,
      owner: t.owner,
      at: new Date().toISOString(),
      namespace: t.namespace,
      jobName: t.jobName,
      requestHash: 'test-hash',
      request: { test: true },
      sourceMessageId: randomUUID(),
    });
    const out = await store.create(record);
    if (!out.created) throw new Error(`record ${t.jobId} exists`);
  }
  await adminBatch.createNamespacedJob({ namespace: t.namespace, body: manifest });
}

/** Deletes the Job as a person would (kubectl delete): our finalizer, if any, holds it. */
export async function deleteJob(t: TestJob): Promise<void> {
  try {
    await adminBatch.deleteNamespacedJob({
      namespace: t.namespace,
      name: t.jobName,
      propagationPolicy: 'Background',
    });
  } catch {
    // already gone
  }
}

/** A test's clean-up: the Job and its pods gone for good, finalizers or not. */
export function removeJob(t: TestJob): Promise<void> {
  return deleteJobForGood({ batch: adminBatch, core: adminCore }, t.namespace, t.jobName);
}

export async function readJob(t: TestJob): Promise<V1Job | undefined> {
  try {
    return await adminBatch.readNamespacedJob({ namespace: t.namespace, name: t.jobName });
  } catch {
    return undefined;
  }
}

export async function podsOf(t: TestJob): Promise<V1Pod[]> {
  const out = await adminCore.listNamespacedPod({
    namespace: t.namespace,
    labelSelector: `batch.kubernetes.io/job-name=${t.jobName}`,
  });
  return out.items;
}

/** Waits until the Job reaches a condition (Complete, Failed, ...), as the admin sees it. */
export function jobCondition(t: TestJob, type: string, timeoutMs = 30_000): Promise<V1Job> {
  return eventually(
    `${t.jobName} ${type}`,
    async () => {
      const job = await readJob(t);
      return job?.status?.conditions?.some((c) => c.type === type && c.status === 'True') ? job : undefined;
    },
    timeoutMs,
  );
}

/** Reconciles (resync only) until the record satisfies `check`. */
export function reconciledUntil(
  t: TestJob,
  check: (r: JobRecord) => boolean,
  timeoutMs = 30_000,
): Promise<JobRecord> {
  return eventually(
    `${t.jobId} reconciled`,
    async () => {
      await runReconcile();
      const record = await queries.getJob(t.jobId);
      return record && check(record) ? record : undefined;
    },
    timeoutMs,
    300,
  );
}

/**
 * An SQS queue that receives every state change event of the given jobs through a bus rule, and
 * the publish function on the table's stream while the tap is open (the events' one path).
 */
export async function eventTap(jobIds: string[]): Promise<{
  received(): Promise<Array<{ detail: Record<string, unknown> }>>;
  close(): Promise<void>;
}> {
  const name = `reconcile-tap-${randomUUID().slice(0, 8)}`;
  const queue = await tapSqs.send(new CreateQueueCommand({ QueueName: name }));
  const queueUrl = queue.QueueUrl ?? '';
  const attrs = await tapSqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  await eventBridge.send(
    new PutRuleCommand({
      Name: name,
      EventBusName: stack.aws.eventBusName,
      EventPattern: JSON.stringify({
        source: [EVENT_SOURCE],
        'detail-type': [STATE_CHANGE_DETAIL_TYPE],
        detail: { jobId: jobIds },
      }),
    }),
  );
  await eventBridge.send(
    new PutTargetsCommand({
      Rule: name,
      EventBusName: stack.aws.eventBusName,
      Targets: [{ Id: 'tap', Arn: attrs.Attributes?.QueueArn }],
    }),
  );
  const publisher = await startStreamPublisher();
  const all: Array<{ detail: Record<string, unknown> }> = [];
  return {
    async received() {
      for (let i = 0; i < 20; i++) {
        const out = await tapSqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
        );
        const messages = out.Messages ?? [];
        for (const m of messages) all.push(JSON.parse(m.Body ?? '{}'));
        if (messages.length === 0) break;
      }
      return all;
    },
    async close() {
      await publisher.stop();
      await eventBridge.send(
        new RemoveTargetsCommand({ Rule: name, EventBusName: stack.aws.eventBusName, Ids: ['tap'] }),
      );
      await eventBridge.send(new DeleteRuleCommand({ Name: name, EventBusName: stack.aws.eventBusName }));
      await tapSqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    },
  };
}
