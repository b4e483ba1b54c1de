import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prepareCancel, prepareSubmit } from '../../../cli/request.ts';

const valid = { owner: 'team-a', image: 'public.ecr.aws/docker/library/busybox:1.36', command: ['true'] };
const newId = () => 'new-id';

describe('local validation of a submit (the submit function parser)', () => {
  it('keeps the file, and its jobId', () => {
    const out = prepareSubmit(JSON.stringify({ ...valid, jobId: 'mine' }), {}, newId);
    assert.deepEqual(out, { ok: true, jobId: 'mine', body: JSON.stringify({ ...valid, jobId: 'mine' }) });
  });

  it('gives a body without a jobId a new one, so that a retried send stays one job', () => {
    const out = prepareSubmit(JSON.stringify(valid), {}, newId);
    assert.ok(out.ok);
    assert.equal(out.jobId, 'new-id');
    assert.equal(JSON.parse(out.body).jobId, 'new-id');
  });

  it('lays --job-id and --owner over the file', () => {
    const out = prepareSubmit(
      JSON.stringify({ ...valid, jobId: 'a' }),
      { jobId: 'b', owner: 'team-b' },
      newId,
    );
    assert.ok(out.ok);
    assert.equal(out.jobId, 'b');
    assert.deepEqual(JSON.parse(out.body), { ...valid, jobId: 'b', owner: 'team-b' });
  });

  it('refuses an invalid request with the reasons and their paths', () => {
    const out = prepareSubmit(JSON.stringify({ ...valid, retries: -1, typo: 1 }), {}, newId);
    assert.equal(out.ok, false);
    assert.deepEqual(!out.ok && out.reasons.map((r) => [r.path, r.rule]), [
      ['retries', 'schema.too_small'],
      ['', 'schema.unrecognized_keys'],
    ]);
  });

  it('checks an overridden field too', () => {
    const out = prepareSubmit(JSON.stringify(valid), { jobId: '-bad id' }, newId);
    assert.equal(out.ok, false);
    assert.deepEqual(!out.ok && out.reasons.map((r) => r.path), ['jobId']);
  });

  it('says what is wrong with a file that is no JSON object', () => {
    for (const [text, rule] of [
      ['{', 'request.invalid_json'],
      ['[1]', 'schema.invalid_type'],
    ] as const) {
      const out = prepareSubmit(text, {}, newId);
      assert.deepEqual(!out.ok && out.reasons.map((r) => r.rule), [rule], text);
    }
  });

  it('sends a cancel body to ejr cancel', () => {
    const out = prepareSubmit(JSON.stringify({ action: 'cancel', jobId: 'a', requestedBy: 'x' }), {}, newId);
    assert.deepEqual(!out.ok && out.reasons.map((r) => r.rule), ['cli.use_cancel']);
  });
});

describe('a cancel body', () => {
  it('is the contract one', () => {
    const out = prepareCancel('job-1', 'arn:aws:iam::123456789012:user/alice', 'superseded');
    assert.ok(out.ok);
    assert.deepEqual(JSON.parse(out.body), {
      action: 'cancel',
      jobId: 'job-1',
      requestedBy: 'arn:aws:iam::123456789012:user/alice',
      reason: 'superseded',
    });
  });

  it('is refused with a requestedBy the contract does not take', () => {
    const out = prepareCancel('job-1', 'alice smith', 'x');
    assert.deepEqual(!out.ok && out.reasons.map((r) => r.path), ['requestedBy']);
  });
});
