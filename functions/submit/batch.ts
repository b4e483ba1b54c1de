import type { SQSBatchResponse } from 'aws-lambda';
import { mapPool } from '../../shared/runtime/pool.ts';
import { gatherCreates } from './batch-creates.ts';
import { checkCancelled } from './cancel-check.ts';
import { newScope, type SubmitDeps, untilDeadline } from './deps.ts';
import { processMessage, type QueueMessage } from './process.ts';

/**
 * A batch, its records processed concurrently (bounded), the records they create written together
 * (batch-creates.ts). Every record ends counted as an outcome, or, on a transient fault, as a batch
 * item failure that SQS redelivers. The Jobs the batch created
 * are then checked against cancels in one read (cancel-check.ts). The events of the records it
 * wrote are published from the table's stream (functions/publish), not here.
 */
export async function runBatch(
  deps: SubmitDeps,
  /** SQS records: their messageId, body and attributes.SenderId (whom the policy maps to owners). */
  records: readonly QueueMessage[],
  options: { concurrency: number; deadline: number },
): Promise<SQSBatchResponse> {
  const { deadline } = options;
  deps = untilDeadline(deps, deadline);
  // The batch's new records are written in one request (batch-creates.ts), then their Jobs created.
  deps = { ...deps, store: gatherCreates(deps.store) };
  const failures: string[] = [];
  const scope = newScope();
  await mapPool(records, options.concurrency, async (record) => {
    try {
      deps.count(await processMessage(deps, record, { deadline, scope }));
    } catch {
      // processMessage logged it with the job id
      failures.push(record.messageId);
      deps.count('RetryLater');
    }
  });
  for (const messageId of await checkCancelled(deps, scope.created, deadline)) {
    if (!failures.includes(messageId)) failures.push(messageId);
    deps.count('RetryLater');
  }
  // Queued jobs that fit are admitted at once, not at reconcile's next look; a failed pass is retried there.
  if (scope.queued) await deps.admit?.();
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}
