export { silentLog } from '../../fakes/bus.ts';
export { FakeKube } from '../../fakes/kube.ts';
export { MemoryStore } from '../../fakes/store.ts';

import { newScope, type Outcome, type SubmitDeps } from '../../../../functions/submit/deps.ts';
import { processMessage, type QueueMessage } from '../../../../functions/submit/process.ts';
import { type Policy, type PolicyInput, parsePolicy } from '../../../../shared/core/submit/policy.ts';
import { silentLog } from '../../fakes/bus.ts';
import { FakeKube } from '../../fakes/kube.ts';
import { MemoryStore } from '../../fakes/store.ts';

export const TEST_POLICY_INPUT: PolicyInput = {
  // The tests' records carry no SenderId, which only `*` maps; ownership has tests of its own.
  principals: [{ senderId: '*', owners: ['*'], cancelAny: true }],
  images: { allowedRegistries: ['public.ecr.aws'], allowedPrefixes: ['docker.io/library/busybox'] },
  secrets: ['db-credentials'],
  serviceAccounts: [{ name: 'reader', automountToken: true }, { name: 'plain' }],
  priorityClasses: ['batch-low', 'batch-high'],
  persistentVolumeClaims: ['shared-data'],
  configMaps: ['settings'],
  tolerationKeys: ['nvidia.com/gpu'],
  nodeSelectorKeys: ['pool'],
  podLabelKeys: ['app.kubernetes.io/component'],
  resources: { max: { cpu: '2', memory: '4Gi', ephemeralStorage: '10Gi', gpu: 1 } },
  // The default minimum is 0 (our finalizer keeps outcomes); a minimum of its own tests the range check.
  limits: { minTtlSecondsAfterFinished: 60 },
};

export function testPolicy(input: PolicyInput = TEST_POLICY_INPUT): Policy {
  return parsePolicy(input, ['jobs', 'jobs-extra']);
}

export type TestDeps = SubmitDeps & {
  store: MemoryStore;
  reader: MemoryStore;
  kube: FakeKube;
  counts: Map<string, number>;
  slept: number[];
};

export function testDeps(overrides: Partial<SubmitDeps> = {}): TestDeps {
  const counts = new Map<string, number>();
  const store = new MemoryStore();
  const kube = new FakeKube();
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
