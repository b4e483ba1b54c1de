import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeJobs, record, runEjr } from './fakes.ts';

const queued = (
  jobId: string,
  owner: string,
  queuedAt: string,
  priority = 0,
  message = 'owner a at 2/2 active jobs',
) =>
  record(jobId, 'QUEUED', {
    owner,
    reason: 'WaitingForQuota',
    message,
    admission: {
      charge: { jobs: 1, cpu: 250, memory: 1, gpu: 0 },
      scopes: [`owner#${owner}`],
      priority,
      queuedAt,
    },
  });

describe('ejr and admission', () => {
  it('suspend and resume send the contract bodies', async () => {
    const suspend = await runEjr(['suspend', 'job-1', '--reason', 'maintenance']);
    assert.equal(suspend.code, 0);
    assert.deepEqual(JSON.parse(suspend.sqs.sent[0]?.body ?? ''), {
      action: 'suspend',
      jobId: 'job-1',
      requestedBy: 'arn:aws:iam::123456789012:user/alice',
      reason: 'maintenance',
    });
    const resume = await runEjr(['resume', 'job-1']);
    assert.equal(JSON.parse(resume.sqs.sent[0]?.body ?? '').action, 'resume');
    assert.equal(resume.out, 'resume of job-1 sent (requested by arn:aws:iam::123456789012:user/alice)\n');
  });

  it('list --state QUEUED: queue order with each position, how long it waited and why', async () => {
    const jobs = new FakeJobs([
      queued('late', 'a', '2026-01-01T00:00:20.000Z'),
      queued('early', 'a', '2026-01-01T00:00:10.000Z'),
      queued('urgent', 'a', '2026-01-01T00:00:30.000Z', 5),
      queued('other', 'b', '2026-01-01T00:00:00.000Z', 0, 'namespace jobs at 10/10 active jobs'),
    ]);
    const ran = await runEjr(['list', '--state', 'QUEUED', '-o', 'json'], { jobs });
    const listing = JSON.parse(ran.out);
    assert.deepEqual(
      listing.items.map((r: { jobId: string }) => r.jobId),
      ['urgent', 'other', 'early', 'late'],
    );
    assert.deepEqual(listing.positions, { urgent: 1, early: 2, late: 3, other: 1 });
    const text = await runEjr(['list', '--state', 'QUEUED'], { jobs });
    assert.match(text.out, /^JOB ID +OWNER +POSITION +WAITING +REASON +MESSAGE$/m);
    assert.match(text.out, /^early +a +2 +\S+ +WaitingForQuota +owner a at 2\/2 active jobs$/m);
  });

  it('usage: each scope against its quota, from the scopes active jobs count against', async () => {
    const jobs = new FakeJobs([queued('q', 'a', '2026-01-01T00:00:00.000Z')]);
    const usage = {
      'owner#a': { jobs: 2, cpu: 1500, memory: 2 ** 30, gpu: 0, limits: { jobs: 2, cpu: 4000 } },
    };
    const ran = await runEjr(['usage'], { jobs, usage });
    assert.equal(ran.code, 0);
    assert.equal(ran.out, 'SCOPE    JOBS  CPU    MEMORY  GPU\nowner a  2/2   1.5/4  1024Mi  0\n');
  });
});
