import type { SQSBatchResponse } from 'aws-lambda';
import { mapPool } from '../../shared/runtime/pool.ts';
import { publishBestEffort } from '../../shared/runtime/publish.ts';
import { checkCancelled } from './cancel-check.ts';
import { newScope, type SubmitDeps, untilDeadline } from './deps.ts';
import { processMessage, type QueueMessage } from './process.ts';

/**
 * A batch, its records processed concurrently (bounded). Every record ends counted as an outcome,
 * or, on a transient fault, as a batch item failure that SQS redelivers. The Jobs the batch created
 * are then checked against cancels in one read (cancel-check.ts), and the REJECTED and CANCELLED
 * transitions it wrote are published together (PutEvents takes 10 a call), best effort: an event
 * that cannot be published fails no message, since its redelivery would find the record written
 * and have nothing to publish.
 */
export async function runBatch(
  deps: SubmitDeps,
  /** SQS records: their messageId, body and attributes.SenderId (whom the policy maps to owners). */
  records: readonly QueueMessage[],
  options: { concurrency: number; deadline: number },
): Promise<SQSBatchResponse> {
  const { deadline } = options;
  deps = untilDeadline(deps, deadline);
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
  const { published, failed } = await publishBestEffort(deps.publisher, scope.events, {
    log: deps.log,
    deadline,
  });
  // Nothing to publish counts nothing, so that the normal path publishes no metric set.
  if (published + failed > 0) deps.count('EventsPublished', published);
  if (failed > 0) deps.count('EventsFailed', failed);
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}
