import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JobRecord } from '../../../shared/core/job/record.ts';
import { statusShard } from '../../../shared/core/job/transition.ts';
import { scanUnitsOf, withMemory } from '../../bench/scale.ts';

function running(i: number): JobRecord {
  const jobId = `load-${i}`;
  return {
    jobId,
    owner: 'bench',
    state: 'RUNNING',
    namespace: 'bench',
    jobName: jobId,
    request: { image: 'registry.local/worker:1', env: 'e'.repeat(2500) },
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}.000Z`,
    version: 2,
    history: [{ state: 'SUBMITTED', at: '2026-01-01T00:00:00.000Z' }],
    statusShard: statusShard('RUNNING', jobId),
    observed: { resourceVersion: String(1000 + i), version: 2 },
  };
}

describe('the quiet scan at scale, computed from the records', () => {
  it('projection ALL reads the records whole; the v1.3 index reads entries a tenth of the size', () => {
    const units = scanUnitsOf(Array.from({ length: 10_000 }, (_, i) => running(i)));
    assert.equal(units.records, 10_000);
    assert.ok((units.meanRecordBytes as number) > 2500);
    assert.ok((units.meanEntryBytes as number) < 250);
    // 24 shards (3 states × 8): a shard without items is still one Query.
    assert.ok((units.includeQueries as number) >= 24);
    assert.ok((units.allProjectionQueries as number) > (units.includeQueries as number));
    assert.ok((units.allProjectionUnits as number) > 10 * (units.includeUnits as number));
    // ALL: every byte of every record, 4 KB a unit, halved; no more than one unit of rounding a page.
    const exact = (10_000 * (units.meanRecordBytes as number)) / 4096 / 2;
    assert.ok(
      Math.abs((units.allProjectionUnits as number) - exact) < (units.allProjectionQueries as number),
    );
  });

  it('an empty active set is 24 Queries of half a unit each', () => {
    const units = scanUnitsOf([]);
    assert.equal(units.allProjectionQueries, 24);
    assert.equal(units.allProjectionUnits, 12);
    assert.equal(units.includeUnits, 12);
  });

  it('memory: before, peak during and after a run, in MB', async () => {
    const { result, memory } = await withMemory(async () => {
      const held = Array.from({ length: 200_000 }, (_, i) => ({ i }));
      await new Promise((resolve) => setTimeout(resolve, 120));
      return held.length;
    });
    assert.equal(result, 200_000);
    assert.ok((memory.heapPeakMb as number) >= (memory.heapBeforeMb as number));
    assert.ok((memory.rssPeakMb as number) > 0);
  });
});
