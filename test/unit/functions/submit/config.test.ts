import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readPolicyInput, readSettings } from '../../../../functions/submit/config.ts';

describe('submit configuration', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'policy-')), 'policy.json');
  writeFileSync(file, JSON.stringify({ images: { allowedRegistries: ['from-file.example.com'] } }));
  const base = { JOBS_TABLE_NAME: 'jobs', JOBS_NAMESPACES: 'jobs, jobs-extra' };

  it('reads the policy from JOB_POLICY, else JOB_POLICY_FILE; JOB_POLICY wins', () => {
    assert.deepEqual(readPolicyInput({ JOB_POLICY_FILE: file }), {
      images: { allowedRegistries: ['from-file.example.com'] },
    });
    assert.deepEqual(readPolicyInput({ JOB_POLICY: '{"secrets":["a"]}', JOB_POLICY_FILE: file }), {
      secrets: ['a'],
    });
    assert.deepEqual(readPolicyInput({}), {});
  });

  it('fails loudly on a policy that is no JSON or not valid', () => {
    assert.throws(() => readPolicyInput({ JOB_POLICY: '{nope' }), /JOB_POLICY is not JSON/);
    assert.throws(() => readSettings({ ...base, JOB_POLICY: '{"images": 1}' }), /invalid job policy/);
  });

  it('takes the namespaces from JOBS_NAMESPACES, the first the default', () => {
    const settings = readSettings({ ...base, JOB_POLICY_FILE: file });
    assert.deepEqual(settings.policy.allowedNamespaces, ['jobs', 'jobs-extra']);
    assert.equal(settings.policy.defaultNamespace, 'jobs');
    assert.equal(settings.concurrency, 32);
    assert.throws(() => readSettings({ JOBS_TABLE_NAME: 't' }), /JOBS_NAMESPACES is required/);
    assert.throws(() => readSettings({ ...base, SUBMIT_CONCURRENCY: '0' }), /SUBMIT_CONCURRENCY/);
  });

  it("adds CDK's schedule principals (SCHEDULE_PRINCIPALS) after the policy's own", () => {
    const own = { senderId: 'AROAOWN:*', owners: ['team-a'] };
    const scheduled = { senderId: 'AROASCHEDULE:*', owners: ['team-reports'] };
    const settings = readSettings({
      ...base,
      JOB_POLICY: JSON.stringify({ principals: [own] }),
      SCHEDULE_PRINCIPALS: JSON.stringify([scheduled]),
    });
    assert.deepEqual(
      settings.policy.principals.map((p) => [p.senderId, p.owners]),
      [
        [own.senderId, own.owners],
        [scheduled.senderId, scheduled.owners],
      ],
    );
    assert.throws(
      () => readSettings({ ...base, SCHEDULE_PRINCIPALS: '{' }),
      /SCHEDULE_PRINCIPALS is not JSON/,
    );
  });
});
