// The benchmark's span recorder (test/bench/span-recorder.ts): registered as the global tracer
// provider (this file's process only; node --test runs each file in its own), it times the spans
// the adapters open and tags each with the invocation it was opened in, across the event loop.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recordSpans } from '../../../test/bench/span-recorder.ts';

const recorder = recordSpans();
// Imported after the registration, as the benchmark imports the bundle.
const { traced } = await import('../../../shared/runtime/tracing.ts');
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('span recorder', () => {
  it('tags each span with its invocation, concurrent ones apart, and times it', async () => {
    const call = (name: string) => traced(name, { 'job.id': 'j' }, async () => turn());
    await Promise.all([
      recorder.invoke(2, async () => {
        await call('kubernetes createJob');
        await turn();
        await call('dynamodb PutItem');
      }),
      recorder.invoke(1, () => call('dynamodb BatchGetItem')),
    ]);
    await call('outside');
    assert.deepEqual(recorder.spans.map((s) => [s.name, s.invocation]).sort(), [
      ['dynamodb BatchGetItem', 1],
      ['dynamodb PutItem', 0],
      ['kubernetes createJob', 0],
      ['outside', undefined],
    ]);
    assert.ok(recorder.spans.every((s) => s.end >= s.start));
    assert.deepEqual(
      recorder.invocations.map((w) => w.records),
      [2, 1],
    );
    assert.ok(recorder.invocations.every((w) => w.end >= w.start));
  });

  it('a throwing call still ends its span', async () => {
    const before = recorder.spans.length;
    await assert.rejects(
      recorder.invoke(1, () =>
        traced('kubernetes createJob', {}, async () => {
          throw new Error('refused');
        }),
      ),
    );
    assert.equal(recorder.spans.length, before + 1);
  });
});
