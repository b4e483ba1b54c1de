import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import type { SubmitDeps } from './deps.ts';
import { mapPool } from './pool.ts';
import { processMessage } from './process.ts';

/**
 * A batch, its records processed concurrently (bounded). Every record ends counted as an outcome,
 * or, on a transient fault, as a batch item failure that SQS redelivers.
 */
export async function runBatch(
  deps: SubmitDeps,
  records: readonly Pick<SQSRecord, 'messageId' | 'body'>[],
  options: { concurrency: number; deadline: number },
): Promise<SQSBatchResponse> {
  const failures: string[] = [];
  await mapPool(records, options.concurrency, async (record) => {
    try {
      const outcome = await processMessage(deps, record, options.deadline);
      deps.count(outcome);
    } catch {
      // processMessage logged it with the job id
      failures.push(record.messageId);
      deps.count('RetryLater');
    }
  });
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}
