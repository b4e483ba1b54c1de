/**
 * How the Lambda SQS event source reads a function's response with ReportBatchItemFailures.
 * Complete success: no response, no or an empty batchItemFailures list. Complete failure: a
 * response it cannot read, or an itemIdentifier that is empty, missing or not in the batch.
 */
export type BatchVerdict =
  | { kind: 'success'; failedMessageIds: ReadonlySet<string> }
  | { kind: 'invalid'; reason: string };

export function readBatchResponse(response: unknown, messageIds: readonly string[]): BatchVerdict {
  const none = { kind: 'success', failedMessageIds: new Set<string>() } as const;
  if (response === undefined || response === null) return none;
  if (typeof response !== 'object' || Array.isArray(response)) {
    return { kind: 'invalid', reason: `response is not an object: ${JSON.stringify(response)}` };
  }
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return none;
  if (!Array.isArray(failures)) return { kind: 'invalid', reason: 'batchItemFailures is not a list' };
  const inBatch = new Set(messageIds);
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '') {
      return { kind: 'invalid', reason: `itemIdentifier missing or empty: ${JSON.stringify(failure)}` };
    }
    if (!inBatch.has(id)) return { kind: 'invalid', reason: `itemIdentifier ${id} is not in the batch` };
    failed.add(id);
  }
  return { kind: 'success', failedMessageIds: failed };
}
