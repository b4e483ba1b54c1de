import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { renderSchema, SCHEMA_FILE } from '../../../../scripts/generate-schema.ts';
import { messageRefusal } from '../../../../shared/core/submit/authorize.ts';
import { renderJob } from '../../../../shared/core/submit/manifest.ts';
import { parseBody } from '../../../../shared/core/submit/parse-request.ts';
import { parsePolicy } from '../../../../shared/core/submit/policy.ts';
import { resolve as resolveSpec } from '../../../../shared/core/submit/resolve.ts';

const examples = resolve(import.meta.dirname, '../../../../docs/examples');
const read = (name: string) => readFileSync(join(examples, name), 'utf8');
/** The SenderId moto (infra/local/requirements.txt) gives every message: sqs/models.py, DEFAULT_SENDER_ID. */
/** The SenderIds of the local stack's SQS: ElasticMQ's (the client's address) and moto's. */
const LOCAL_SENDER_IDS = ['127.0.0.1', 'AIDAIT2UOQQY3AUEKVGXU'];

describe('request contract v1: schema file and examples', () => {
  it('docs/schema/job-request.v1.json is generated from the runtime schema and up to date', () => {
    assert.equal(readFileSync(SCHEMA_FILE, 'utf8'), renderSchema(), 'run: node scripts/generate-schema.ts');
  });

  const policy = parsePolicy(JSON.parse(read('policy.json')), ['jobs', 'jobs-extra']);
  for (const file of readdirSync(examples).filter((f) => f.endsWith('.json') && f !== 'policy.json')) {
    it(`${file} is a valid request that the example policy accepts`, () => {
      const parsed = parseBody(read(file), 'message-1');
      assert.notEqual(parsed.kind, 'invalid', JSON.stringify(parsed));
      for (const senderId of LOCAL_SENDER_IDS)
        assert.equal(
          messageRefusal(policy.principals, senderId, parsed),
          undefined,
          `the local sender ${senderId}`,
        );
      if (parsed.kind !== 'submit') return;
      const { spec, reasons } = resolveSpec(parsed.request, policy);
      assert.deepEqual(reasons, []);
      const job = renderJob({
        jobId: parsed.jobId,
        jobName: 'example',
        owner: parsed.request.owner,
        request: parsed.request,
        spec,
        policy,
        requestHash: parsed.hash,
        submittedAt: '2026-01-01T00:00:00Z',
        sourceMessageId: 'message-1',
      });
      assert.equal(job.spec?.template.spec?.restartPolicy, 'Never');
    });
  }

  it('the four Job patterns of the Kubernetes guide each have an example', () => {
    const bodies = [
      'one-shot.json',
      'parallel-fixed-completions.json',
      'indexed.json',
      'work-queue.json',
    ].map((f) => JSON.parse(read(f)) as Record<string, unknown>);
    const [oneShot, fixed, indexed, queue] = bodies;
    assert.equal(oneShot?.completions ?? 1, 1);
    assert.ok((fixed?.completions as number) > 1 && (fixed?.parallelism as number) > 1);
    assert.equal(indexed?.completionMode, 'Indexed');
    assert.equal(queue?.completions, undefined);
    assert.ok((queue?.parallelism as number) > 1);
  });
});
