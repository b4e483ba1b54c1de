// The progress line: at most one a second, always the last; rewritten in place on a terminal.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createProgress, progressText } from '../../../test/bench/report/index.ts';

function fake(isTTY: boolean) {
  const out: string[] = [];
  let clock = 0;
  const progress = createProgress({
    stream: { isTTY, write: (text: string) => out.push(text) },
    now: () => clock,
  });
  const tick = (ms: number) => {
    clock += ms;
  };
  return { out, progress, tick };
}

describe('progress', () => {
  it('prints plain lines, at most one a second, and always the last', () => {
    const { out, progress, tick } = fake(false);
    progress('creates', 0, 100);
    for (let done = 1; done <= 100; done++) {
      tick(25); // 40 a second
      progress('creates', done, 100);
    }
    assert.deepEqual(out, [
      'creates 0/100 (0%)\n',
      'creates 40/100 (40%) 40.0/s, ~2 s left\n',
      'creates 80/100 (80%) 40.0/s, ~1 s left\n',
      'creates 100/100 (100%) 40.0/s\n',
    ]);
  });

  it('rewrites one line on a terminal and ends it when the count is done', () => {
    const { out, progress, tick } = fake(true);
    progress('puts', 0, 10);
    tick(1000);
    progress('puts', 5, 10, 'last 3 ms');
    tick(500);
    progress('puts', 10, 10);
    assert.deepEqual(out, [
      '\rputs 0/10 (0%)\x1b[K',
      '\rputs 5/10 (50%) 5.0/s, ~1 s left; last 3 ms\x1b[K',
      '\rputs 10/10 (100%) 6.7/s\x1b[K\n',
    ]);
  });

  it("on a terminal, ends another label's open line before its own, and end() ends an open line", () => {
    const { out, progress, tick } = fake(true);
    progress('ready', 3, 10);
    tick(1000);
    progress('sent', 1, 10);
    progress.end();
    progress.end();
    assert.deepEqual(out, ['\rready 3/10 (30%)\x1b[K', '\n\rsent 1/10 (10%)\x1b[K', '\n']);
  });

  it('text: no rate before any time has passed, no time left once done', () => {
    assert.equal(progressText('x', 0, 0, 0), 'x 0/0');
    assert.equal(progressText('x', 3, 4, 1500), 'x 3/4 (75%) 2.0/s, ~1 s left');
    assert.equal(progressText('x', 4, 4, 2000, 'note'), 'x 4/4 (100%) 2.0/s; note');
  });
});
