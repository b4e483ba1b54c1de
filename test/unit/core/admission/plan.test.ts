import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { queuePositions } from '../../../../shared/core/admission/order.ts';
import { planAdmission } from '../../../../shared/core/admission/plan.ts';
import { chargeOf, neverFits, quotasFor } from '../../../../shared/core/admission/quota.ts';
import type { Scope, Usage } from '../../../../shared/core/admission/types.ts';
import type { JobRecord } from '../../../../shared/core/job/record.ts';
import type { JobState } from '../../../../shared/core/job/state.ts';
import { statusShard } from '../../../../shared/core/job/transition.ts';
import {
  type AdmissionPolicy,
  admissionPolicySchema,
} from '../../../../shared/core/submit/policy-admission.ts';
import { at, T0 } from '../reconcile/fixtures.ts';

const policy = (input: object): AdmissionPolicy => admissionPolicySchema.parse(input);

function queued(
  jobId: string,
  owner: string,
  options: {
    s?: number;
    cpu?: number;
    priority?: number;
    dependsOn?: JobRecord['admission'] extends infer A
      ? A extends { dependsOn?: infer D }
        ? D
        : never
      : never;
    scopes?: Scope[];
  } = {},
): JobRecord {
  const scopes = options.scopes ?? [`owner#${owner}`, 'namespace#jobs', `share#jobs#${owner}`];
  return {
    jobId,
    owner,
    state: 'QUEUED',
    namespace: 'jobs',
    jobName: jobId,
    createdAt: T0,
    updatedAt: T0,
    version: 1,
    history: [],
    statusShard: statusShard('QUEUED', jobId),
    admission: {
      charge: { jobs: 1, cpu: options.cpu ?? 250, memory: 2 ** 28, gpu: 0 },
      scopes,
      priority: options.priority ?? 0,
      queuedAt: at(options.s ?? 0),
      ...(options.dependsOn && { dependsOn: options.dependsOn }),
    },
  };
}

const usage = (entries: [Scope, Partial<Usage>][]) =>
  new Map(entries.map(([s, u]) => [s, { jobs: 0, cpu: 0, memory: 0, gpu: 0, ...u }] as const));
const admitted = (decisions: ReturnType<typeof planAdmission>) =>
  decisions.filter((d) => d.kind === 'admit').map((d) => d.record.jobId);

describe('admission plan: quotas', () => {
  const p = policy({
    quotas: { owners: { a: { maxActiveJobs: 2 } }, namespaces: { jobs: { maxActiveJobs: 10 } } },
  });
  test('a quota of N admits N, oldest first, and says why the rest wait', () => {
    const jobs = ['j3', 'j1', 'j2', 'j4'].map((id) => queued(id, 'a', { s: Number(id.slice(1)) }));
    const decisions = planAdmission({
      queued: jobs,
      usage: new Map(),
      dependencies: new Map(),
      policy: p,
      now: at(100),
    });
    assert.deepEqual(admitted(decisions), ['j1', 'j2']);
    const waits = decisions.filter((d) => d.kind === 'wait');
    assert.deepEqual(waits.map((d) => [d.record.jobId, d.message]).sort(), [
      ['j3', 'owner a at 2/2 active jobs'],
      ['j4', 'owner a at 2/2 active jobs'],
    ]);
  });
  test('counts what is admitted already', () => {
    const decisions = planAdmission({
      queued: [queued('j1', 'a')],
      usage: usage([['owner#a', { jobs: 2 }]]),
      dependencies: new Map(),
      policy: p,
      now: at(1),
    });
    assert.deepEqual(admitted(decisions), []);
  });
  test('a namespace full stops every owner in it, so no small job passes a large one', () => {
    const q = policy({ quotas: { namespaces: { jobs: { cpu: '1' } } } });
    const big = queued('big', 'a', { cpu: 1000, s: 0 });
    const small = queued('small', 'b', { cpu: 100, s: 5 });
    const decisions = planAdmission({
      queued: [big, small],
      usage: usage([
        ['namespace#jobs', { cpu: 500 }],
        ['share#jobs#b', { cpu: 500 }],
      ]),
      dependencies: new Map(),
      policy: q,
      now: at(10),
    });
    assert.deepEqual(admitted(decisions), []);
    assert.equal(decisions.find((d) => d.record.jobId === 'small')?.kind, 'wait');
  });
  test('a request alone over a quota is refused up front, with the quota named', () => {
    const charge = chargeOf({ cpu: '3', memory: '1Gi', gpu: 0 }, { parallelism: 2 });
    assert.deepEqual(charge, { jobs: 1, cpu: 6000, memory: 2 * 2 ** 30, gpu: 0 });
    const reason = neverFits(
      charge,
      quotasFor('a', 'jobs', policy({ quotas: { owners: { a: { cpu: '4' } } } })),
    );
    assert.equal(reason?.rule, 'policy.quota_exceeded');
    assert.match(reason?.message ?? '', /asks for 6 CPU, above the quota of owner a \(4\)/);
  });
});

describe('admission plan: order and fair share', () => {
  test('within an owner: priority, then age; waiting raises priority (aging)', () => {
    const p = policy({ quotas: { owners: { a: { maxActiveJobs: 1 } } }, agingSeconds: 60 });
    const old = queued('old', 'a', { s: 0, priority: 0, scopes: ['owner#a'] });
    const urgent = queued('urgent', 'a', { s: 100, priority: 2, scopes: ['owner#a'] });
    const at110 = planAdmission({
      queued: [old, urgent],
      usage: new Map(),
      dependencies: new Map(),
      policy: p,
      now: at(110),
    });
    assert.deepEqual(admitted(at110), ['urgent'], 'higher priority first');
    const at200 = planAdmission({
      queued: [old, urgent],
      usage: new Map(),
      dependencies: new Map(),
      policy: p,
      now: at(200),
    });
    // old has waited 200 s: 0 + 3 steps, as many as urgent's 2 + 1, and it is older.
    assert.deepEqual(admitted(at200), ['old'], 'the longer wait overtakes');
    assert.deepEqual(
      [...queuePositions([old, urgent], p, at(110))],
      [
        ['urgent', 1],
        ['old', 2],
      ],
    );
  });
  test('two owners flooding a namespace share it by their weights', () => {
    const p = policy({ quotas: { namespaces: { jobs: { maxActiveJobs: 9 } } }, weights: { a: 2, b: 1 } });
    const jobs = Array.from({ length: 20 }, (_, i) => [
      queued(`a${i}`, 'a', { s: i }),
      queued(`b${i}`, 'b', { s: i }),
    ]).flat();
    for (const j of jobs) j.admission?.scopes.splice(0, 1); // namespace quota only: no owner scope
    const decisions = planAdmission({
      queued: jobs,
      usage: new Map(),
      dependencies: new Map(),
      policy: p,
      now: at(50),
    });
    const ids = admitted(decisions);
    assert.equal(ids.length, 9);
    assert.equal(ids.filter((id) => id.startsWith('a')).length, 6);
    assert.equal(ids.filter((id) => id.startsWith('b')).length, 3);
  });
});

describe('admission plan: dependencies and suspension', () => {
  const p = policy({});
  const states = (entries: [string, JobState][]) => new Map(entries);
  const dep = (jobId: string, condition: 'SUCCEEDED' | 'FINISHED' = 'SUCCEEDED') => [{ jobId, condition }];
  test('waits until met, then is admitted', () => {
    const b = queued('b', 'x', { dependsOn: dep('a'), scopes: [] });
    const waiting = planAdmission({
      queued: [b],
      usage: new Map(),
      dependencies: states([['a', 'RUNNING']]),
      policy: p,
      now: at(1),
    });
    assert.deepEqual(
      waiting.map((d) => [d.kind, d.kind === 'wait' && d.message]),
      [['wait', 'waiting for a (RUNNING)']],
    );
    const met = planAdmission({
      queued: [b],
      usage: new Map(),
      dependencies: states([['a', 'SUCCEEDED']]),
      policy: p,
      now: at(2),
    });
    assert.deepEqual(admitted(met), ['b']);
  });
  test('fails when the dependency cannot be met: another end, or no record', () => {
    for (const [state, condition, kind] of [
      ['FAILED', 'SUCCEEDED', 'fail'],
      ['FAILED', 'FINISHED', 'admit'],
      ['CANCELLED', 'FINISHED', 'fail'],
      ['LOST', 'SUCCEEDED', 'fail'],
      [undefined, 'SUCCEEDED', 'fail'],
    ] as const) {
      const b = queued('b', 'x', { dependsOn: dep('a', condition), scopes: [] });
      const deps = state ? states([['a', state]]) : new Map();
      const [decision] = planAdmission({
        queued: [b],
        usage: new Map(),
        dependencies: deps,
        policy: p,
        now: at(1),
      });
      assert.equal(decision?.kind, kind, `${state} with ${condition}`);
    }
  });
  test('a suspended job is never admitted, and says who suspended it', () => {
    const j = {
      ...queued('s', 'x', { scopes: [] }),
      suspension: { by: 'ops', reason: 'maintenance', at: at(0) },
    };
    const [decision] = planAdmission({
      queued: [j],
      usage: new Map(),
      dependencies: new Map(),
      policy: p,
      now: at(1),
    });
    assert.deepEqual(decision?.kind === 'wait' && [decision.reason, decision.message], [
      'Suspended',
      'suspended by ops: maintenance',
    ]);
  });
});
