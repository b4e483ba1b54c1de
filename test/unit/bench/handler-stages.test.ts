// The submit benchmark's stage-by-stage figures (test/bench/figures/handler-stages.ts) from sample
// spans, and the span recorder (test/bench/span-recorder.ts) against the tracing the adapters use.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cutInvocation, handlerStages, IDLE, STAGES } from '../../../test/bench/figures/handler-stages.ts';

const span = (name: string, start: number, end: number, invocation = 0) => ({ name, start, end, invocation });

describe('handler stages', () => {
  it('cuts an invocation by what was in flight, a Job create first, so the stages add up to it', () => {
    const ms = cutInvocation({ start: 0, end: 100, records: 2 }, [
      span('dynamodb TransactWriteItems', 5, 25),
      span('kubernetes createJob', 25, 70),
      // a late record's put while another's create is in flight: the create's time
      span('dynamodb PutItem', 60, 80),
      span('kubernetes createJob', 30, 75),
      span('dynamodb BatchGetItem', 85, 95),
      span('kubernetes deleteJob', 95, 120), // clipped at the invocation's end
    ]);
    assert.deepEqual(ms, [50, 25, 10, 5, 10]);
    assert.equal(
      ms.reduce((a, b) => a + b, 0),
      100,
    );
  });

  it('means per invocation, calls per record, and the creates in flight', () => {
    const invocations = [
      { start: 0, end: 100, records: 2 },
      { start: 50, end: 150, records: 2 },
    ];
    const spans = [
      span('submit message', 0, 100),
      span('dynamodb TransactWriteItems', 0, 20),
      span('kubernetes createJob', 20, 100),
      span('kubernetes createJob', 20, 60),
      span('dynamodb TransactWriteItems', 50, 70, 1),
      span('kubernetes createJob', 70, 150, 1),
      span('kubernetes createJob', 70, 110, 1),
      { name: 'dynamodb PutItem', start: 0, end: 500 }, // outside any invocation: not the handler's
    ];
    const h = handlerStages(invocations, spans, 150);
    assert.equal(h.meanInvocationMs, 100);
    assert.deepEqual(
      h.stages.map((s) => [s.stage, s.ms, s.share]),
      [
        ['Job create', 80, 0.8],
        ['record write', 20, 0.2],
        ['cancel check', 0, 0],
        ['other calls', 0, 0],
        [IDLE, 0, 0],
      ],
    );
    assert.deepEqual(h.calls, [
      { name: 'kubernetes createJob', perRecord: 1, meanMs: 60 },
      { name: 'dynamodb TransactWriteItems', perRecord: 0.5, meanMs: 20 },
    ]);
    assert.equal(h.createsInFlight, 240 / 150);
    assert.equal(STAGES[0].stage, 'Job create');
  });
});
