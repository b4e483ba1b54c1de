import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { EVENT_SCHEMA_FILE, renderEventSchema } from '../../../../scripts/generate-schema.ts';
import { stateChangeDetailSchema, stateChangeEventSchema } from '../../../../shared/core/job/event-schema.ts';
import { changeEvent, stateChangeEvent } from '../../../../shared/core/job/events.ts';
import { at, record } from '../reconcile/fixtures.ts';

describe('the "Job State Change" schema', () => {
  it('docs/schema/job-state-change.v1.json is generated from the code and up to date', () => {
    assert.equal(
      readFileSync(EVENT_SCHEMA_FILE, 'utf8'),
      renderEventSchema(),
      'run: node scripts/generate-schema.ts',
    );
  });

  it('holds every detail the builder makes: terminal with a result, adopted, flagged, refused', () => {
    const details = [
      stateChangeEvent(
        record('FAILED', {
          version: 4,
          reason: 'BackoffLimitExceeded',
          message: 'x'.repeat(5000),
          result: {
            attempts: 1,
            succeeded: 0,
            failed: 1,
            durationSeconds: 3,
            pods: [{ podName: 'p', exitCode: 3 }],
          },
        }),
        record('RUNNING', { version: 3 }),
      ),
      stateChangeEvent(record('RUNNING'), undefined, true),
      changeEvent(
        record('PENDING', { pending: { reason: 'Unschedulable', since: at(1) } }),
        record('PENDING', { version: 2, pending: { reason: 'Unschedulable', since: at(1), flagged: true } }),
      ),
      stateChangeEvent(
        record('REJECTED', { namespace: undefined, jobName: undefined, reason: 'InvalidRequest' }),
      ),
    ].map((event) => event?.detail);
    for (const detail of details) {
      const parsed = stateChangeDetailSchema.safeParse(detail);
      assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
    }
  });

  it('refuses a detail with a field it does not define, or a wrong state', () => {
    const detail = stateChangeEvent(record('RUNNING')).detail;
    assert.equal(stateChangeDetailSchema.safeParse({ ...detail, extra: 1 }).success, false);
    assert.equal(stateChangeDetailSchema.safeParse({ ...detail, state: 'DONE' }).success, false);
  });

  it('holds the example of docs/events.md, envelope and all', () => {
    const doc = readFileSync(resolve(import.meta.dirname, '../../../../docs/events.md'), 'utf8');
    const example = doc.match(/Example \(`FAILED`\):\n\n```json\n([\s\S]*?)\n```/)?.[1];
    assert.ok(example, 'the example block of docs/events.md');
    const parsed = stateChangeEventSchema.safeParse(JSON.parse(example));
    assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
  });
});
