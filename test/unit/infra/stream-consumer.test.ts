// The local stream consumer's lease and checkpoint (infra/local/runtime/stream-consumer.ts).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { StreamConsumer } from '../../../infra/local/runtime/stream-consumer.ts';

const dir = mkdtempSync(join(tmpdir(), 'stream-consumer-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const files = (name: string) => ({
  leaseFile: join(dir, `${name}.pid`),
  checkpointFile: join(dir, `${name}.json`),
});

describe('StreamConsumer', () => {
  test('one holder at a time; released, the lease is free for the next', () => {
    const a = new StreamConsumer(files('one'));
    const b = new StreamConsumer(files('one'));
    assert.deepEqual(a.tryAcquire(), { held: true });
    assert.deepEqual(a.tryAcquire(), { held: true }, 'taking it again is a no-op');
    assert.deepEqual(b.tryAcquire(), { held: false, holder: process.pid });
    b.release(); // not b's to release
    assert.deepEqual(b.tryAcquire(), { held: false, holder: process.pid });
    a.release();
    assert.deepEqual(b.tryAcquire(), { held: true });
    b.release();
  });

  test("a live process's lease is respected; a dead process's lease is taken", async () => {
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
    try {
      writeFileSync(files('live').leaseFile, `${live.pid} its-token`);
      assert.deepEqual(new StreamConsumer(files('live')).tryAcquire(), { held: false, holder: live.pid });
    } finally {
      live.kill('SIGKILL');
    }
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)']).stdout.toString().trim();
    writeFileSync(files('dead').leaseFile, `${dead} its-token`);
    const taker = new StreamConsumer(files('dead'));
    assert.deepEqual(taker.tryAcquire(), { held: true });
    assert.match(readFileSync(files('dead').leaseFile, 'utf8'), new RegExp(`^${process.pid} `));
    taker.release();
  });

  test('a checkpoint per stream and shard, kept across consumers', () => {
    const first = new StreamConsumer(files('checkpoint'));
    assert.equal(first.checkpoint('arn:s1', 'shard-1'), undefined);
    first.save('arn:s1', 'shard-1', '100');
    first.save('arn:s2', 'shard-1', '7');
    first.save('arn:s1', 'shard-1', '105');
    const next = new StreamConsumer(files('checkpoint'));
    assert.equal(next.checkpoint('arn:s1', 'shard-1'), '105');
    assert.equal(next.checkpoint('arn:s2', 'shard-1'), '7');
    assert.equal(next.checkpoint('arn:s1', 'shard-2'), undefined);
  });
});
