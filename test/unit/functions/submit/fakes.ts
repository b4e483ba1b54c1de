import type { V1Job } from '@kubernetes/client-node';
import { newScope, type Outcome, type SubmitDeps } from '../../../../functions/submit/deps.ts';
import { processMessage, type QueueMessage } from '../../../../functions/submit/process.ts';
import { KubeError } from '../../../../shared/adapters/kubernetes/errors.ts';
import { kubeRetry } from '../../../../shared/adapters/kubernetes/retry.ts';
import type { StateChangeEvent } from '../../../../shared/core/job/events.ts';
import type { JobRecord } from '../../../../shared/core/job/record.ts';
import type { KubeFailure } from '../../../../shared/core/kube-failure.ts';
import type {
  CallOptions,
  EventPublisher,
  JobReader,
  JobStore,
  KubeJobs,
  Log,
} from '../../../../shared/core/ports.ts';
import { type Policy, type PolicyInput, parsePolicy } from '../../../../shared/core/submit/policy.ts';

/**
 * The JobStore port, and the reader's getStates, in memory, with the same conditional semantics as
 * the DynamoDB adapters.
 */
export class MemoryStore implements JobStore, Pick<JobReader, 'getStates'> {
  readonly items = new Map<string, JobRecord>();
  writes = 0;
  reads = 0;
  async create(record: JobRecord) {
    await Promise.resolve();
    const existing = this.items.get(record.jobId);
    if (existing) return { created: false as const, existing: structuredClone(existing) };
    this.writes++;
    this.items.set(record.jobId, structuredClone(record));
    return { created: true as const };
  }
  async get(jobId: string) {
    await Promise.resolve();
    this.reads++;
    const item = this.items.get(jobId);
    return item ? structuredClone(item) : undefined;
  }
  statesCalls = 0;
  async getStates(jobIds: readonly string[]) {
    await Promise.resolve();
    this.statesCalls++;
    return new Map(
      jobIds.flatMap((id) =>
        this.items.has(id) ? [[id, this.items.get(id)?.state as JobRecord['state']] as const] : [],
      ),
    );
  }
  async replace(next: JobRecord) {
    await Promise.resolve();
    const existing = this.items.get(next.jobId);
    if (!existing || existing.version !== next.version - 1) return false;
    this.writes++;
    this.items.set(next.jobId, structuredClone(next));
    return true;
  }
}

/**
 * Kubernetes Jobs in memory; `failNext` scripts failures of the next calls. Each call goes through
 * the real kubeRetry, as in KubeClient: `calls` has one entry per attempt, `slept` the waits.
 */
export class FakeKube implements KubeJobs {
  readonly jobs = new Map<string, V1Job>();
  readonly calls: string[] = [];
  readonly slept: number[] = [];
  warnings: string[] = [];
  readonly failures: { call: 'create' | 'read' | 'delete'; failure: KubeFailure }[] = [];
  failNext(call: 'create' | 'read' | 'delete', failure: KubeFailure, times = 1) {
    for (let i = 0; i < times; i++) this.failures.push({ call, failure });
  }
  createJob(job: V1Job, options?: CallOptions) {
    return this.attempt('create', options, () => {
      const key = `${job.metadata?.namespace}/${job.metadata?.name}`;
      if (this.jobs.has(key))
        throw new KubeError({
          status: 409,
          reason: 'AlreadyExists',
          message: `jobs.batch "${job.metadata?.name}" already exists`,
        });
      this.jobs.set(key, structuredClone(job));
      return { warnings: [...this.warnings] };
    });
  }
  readJob(namespace: string, name: string, options?: CallOptions) {
    return this.attempt('read', options, () => this.jobs.get(`${namespace}/${name}`));
  }
  deleteJob(namespace: string, name: string, options?: CallOptions) {
    return this.attempt('delete', options, () =>
      this.jobs.delete(`${namespace}/${name}`) ? ('deleted' as const) : ('not-found' as const),
    );
  }
  private attempt<T>(call: 'create' | 'read' | 'delete', options: CallOptions | undefined, fn: () => T) {
    const once = async () => {
      await Promise.resolve();
      this.calls.push(call);
      const index = this.failures.findIndex((f) => f.call === call);
      if (index >= 0)
        throw new KubeError((this.failures.splice(index, 1)[0] as { failure: KubeFailure }).failure);
      return fn();
    };
    return kubeRetry(`${call}Job`, once, options, { sleep: async (ms) => void this.slept.push(ms) });
  }
}

/**
 * The publish port (EventBridgePublisher) in memory: one entry in `calls` per publish call.
 * `outcome` scripts the answer: all published (default), some not ('partial'), a throw, or no answer.
 */
export class FakeBus implements EventPublisher {
  readonly calls: StateChangeEvent[][] = [];
  outcome: 'ok' | 'partial' | 'throw' | 'hang' = 'ok';
  get published(): StateChangeEvent[] {
    return this.calls.flat();
  }
  readonly publish = async (events: readonly StateChangeEvent[]): Promise<{ failed: number }> => {
    await Promise.resolve();
    this.calls.push(structuredClone([...events]));
    if (this.outcome === 'throw') throw new Error('PutEvents: service unavailable');
    if (this.outcome === 'hang') return new Promise(() => {});
    return { failed: this.outcome === 'partial' ? 1 : 0 };
  };
}

export const silentLog: Log = { info() {}, warn() {}, error() {}, child: () => silentLog };

export const TEST_POLICY_INPUT: PolicyInput = {
  images: { allowedRegistries: ['public.ecr.aws'], allowedPrefixes: ['docker.io/library/busybox'] },
  secrets: ['db-credentials'],
  serviceAccounts: [{ name: 'reader', automountToken: true }, { name: 'plain' }],
  priorityClasses: ['batch-low', 'batch-high'],
  persistentVolumeClaims: ['shared-data'],
  configMaps: ['settings'],
  tolerationKeys: ['nvidia.com/gpu'],
  nodeSelectorKeys: ['pool'],
  resources: { max: { cpu: '2', memory: '4Gi', ephemeralStorage: '10Gi', gpu: 1 } },
};

export function testPolicy(input: PolicyInput = TEST_POLICY_INPUT): Policy {
  return parsePolicy(input, ['jobs', 'jobs-extra']);
}

export type TestDeps = SubmitDeps & {
  store: MemoryStore;
  reader: MemoryStore;
  kube: FakeKube;
  bus: FakeBus;
  counts: Map<string, number>;
  slept: number[];
};

export function testDeps(overrides: Partial<SubmitDeps> = {}): TestDeps {
  const counts = new Map<string, number>();
  const store = new MemoryStore();
  const kube = new FakeKube();
  const bus = new FakeBus();
  let clock = Date.parse('2026-01-01T00:00:00Z');
  return {
    store,
    reader: store,
    kube,
    policy: testPolicy(),
    log: silentLog,
    count: (m, value = 1) => counts.set(m, (counts.get(m) ?? 0) + value),
    now: () => {
      clock += 1000;
      return new Date(clock);
    },
    publisher: bus,
    bus,
    counts,
    slept: kube.slept,
    ...overrides,
  } as TestDeps;
}

/** One message with a batch scope of its own, for a test of its outcome (the batch's end is runBatch's). */
export function processOne(deps: SubmitDeps, message: QueueMessage, deadline: number): Promise<Outcome> {
  return processMessage(deps, message, { deadline, scope: newScope() });
}

export const body = (value: unknown) => JSON.stringify(value);

/** A deadline no test reaches. */
export const far = () => Date.now() + 60_000;

/** A valid submit that the test policy accepts, with `extra` fields. */
export const request = (extra: Record<string, unknown> = {}) => ({
  jobId: 'job-1',
  owner: 'alice',
  image: 'busybox:1.36',
  command: ['sh', '-c', 'true'],
  ...extra,
});
