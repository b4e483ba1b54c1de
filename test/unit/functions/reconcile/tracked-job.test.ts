// What reconcile keeps of each tracked Job between its events (functions/reconcile/context.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Job } from '@kubernetes/client-node';
import { trackedJob } from '../../../../functions/reconcile/context.ts';

const listed: V1Job = {
  metadata: {
    name: 'job-1',
    namespace: 'jobs',
    resourceVersion: '42',
    labels: { a: 'b' },
    annotations: { c: 'd' },
    finalizers: ['x/y'],
    managedFields: [{ manager: 'submit', operation: 'Update', fieldsV1: { 'f:spec': {} } }],
  },
  spec: {
    suspend: false,
    backoffLimit: 2,
    template: { spec: { containers: [{ name: 'main', image: 'busybox' }], restartPolicy: 'Never' } },
  },
  status: { active: 1, ready: 1 },
};

describe('trackedJob', () => {
  it('drops the pod template and managedFields, keeps what planning reads', () => {
    const kept = trackedJob(listed);
    assert.equal(kept.metadata?.managedFields, undefined);
    assert.deepEqual(kept.spec?.template, {});
    const { managedFields: _, ...metadata } = listed.metadata ?? {};
    assert.deepEqual(kept.metadata, metadata);
    assert.equal(kept.spec?.suspend, false);
    assert.equal(kept.spec?.backoffLimit, 2);
    assert.deepEqual(kept.status, listed.status);
  });

  it('leaves the listed Job as it was', () => {
    trackedJob(listed);
    assert.equal(listed.metadata?.managedFields?.length, 1);
    assert.equal(listed.spec?.template.spec?.containers[0]?.image, 'busybox');
  });

  it('keeps a Job without a spec without one', () => {
    assert.equal(trackedJob({ metadata: { name: 'j' } }).spec, undefined);
  });
});
