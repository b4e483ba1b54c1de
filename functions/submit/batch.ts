import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { mapPool } from '../../shared/runtime/pool.ts';
import { checkCancelled } from './cancel-check.ts';
import type { BatchScope, SubmitDeps } from './deps.ts';
import { publishTransitions } from './events.ts';
import { processMessage } from './process.ts';

/**
 * A batch, its records processed concurrently (bounded). Every record ends counted as an outcome,
 * or, on a transient fault, as a batch item failure that SQS redelivers. The Jobs the batch created
 * are then checked against cancels in one read (cancel-check.ts), and the REJECTED and CANCELLED
 * transitions it wrote are published together (PutEvents takes 10 a call), best effort (events.ts).
 */
export async function runBatch(
  deps: SubmitDeps,
  records: readonly Pick<SQSRecord, 'messageId' | 'body'>[],
  options: { concurrency: number; deadline: number },
): Promise<SQSBatchResponse> {
  const failures: string[] = [];
  const scope: BatchScope = { created: [], events: [] };
  await mapPool(records, options.concurrency, async (record) => {
    try {
      const outcome = await processMessage(deps, record, options.deadline, scope);
      deps.count(outcome);
    } catch {
      // processMessage logged it with the job id
      failures.push(record.messageId);
      deps.count('RetryLater');
    }
  });
  for (const messageId of await checkCancelled(deps, scope.created, options.deadline)) {
    if (!failures.includes(messageId)) failures.push(messageId);
    deps.count('RetryLater');
  }
  await publishTransitions(deps, deps.log, scope.events, options.deadline);
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}
