import type { JobRecord } from '../../shared/core/job/record.ts';
import type { Created, JobStore } from '../../shared/core/ports.ts';
import { outsideSpans } from '../../shared/runtime/tracing.ts';

interface Waiting {
  record: JobRecord;
  resolve: (created: Created) => void;
  reject: (error: unknown) => void;
}

/**
 * A batch's store whose creates are gathered: the creates its messages ask for before the event
 * loop's next turn go to DynamoDB as one createAll (one transaction), not one request each. On the
 * normal path that is every record of the batch: parsing, the policy and the record are computed
 * without I/O, so each message reaches its create within the same turn. A create that comes after
 * I/O of its own (a dependency read) is gathered with those of its turn, or goes alone. Each caller
 * still waits for its own record's answer, so every record is written before its Job is created.
 */
export function gatherCreates(store: JobStore): JobStore {
  let waiting: Waiting[] = [];
  const flush = async () => {
    const group = waiting;
    waiting = [];
    const [first] = group;
    if (group.length === 1 && first) return store.create(first.record).then(first.resolve, first.reject);
    try {
      // The batch's request, not one message's: its span is no child of the first caller's.
      const results = await outsideSpans(() => store.createAll(group.map((w) => w.record)));
      group.forEach((w, i) => {
        const result = results[i];
        if (result?.status === 'fulfilled') w.resolve(result.value);
        else w.reject(result ? result.reason : new Error('createAll gave no answer for this record'));
      });
    } catch (error) {
      for (const w of group) w.reject(error);
    }
  };
  return {
    create: (record) =>
      new Promise((resolve, reject) => {
        if (waiting.push({ record, resolve, reject }) === 1) setImmediate(flush);
      }),
    createAll: (records) => store.createAll(records),
    get: (jobId) => store.get(jobId),
    replace: (next) => store.replace(next),
  };
}
