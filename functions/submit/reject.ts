import type { StateChangeEvent } from '../../shared/core/job/events.ts';
import type { JobRecord, Reason } from '../../shared/core/job/record.ts';
import { REJECTION, rejectedRecord } from '../../shared/core/submit/records.ts';
import type { Log, Outcome, SubmitDeps } from './deps.ts';
import { noteTransition } from './events.ts';

export interface Rejection {
  key: string;
  owner: string;
  reason: string;
  reasons: Reason[];
  hash: string;
  request?: unknown;
  messageId: string;
  /** Where the REJECTED transition is noted for publishing (events.ts). */
  events: StateChangeEvent[];
}

/**
 * Records a refusal as a REJECTED record (one conditional put). If the key already holds the same
 * request, this is a redelivery. If it holds another request, the jobId is taken: the refusal is
 * recorded under the message id instead, with a `request.conflict` reason, and the existing record
 * is left as it is.
 */
export async function recordRejection(deps: SubmitDeps, log: Log, rejection: Rejection): Promise<Outcome> {
  const at = deps.now().toISOString();
  const write = (key: string, reason: string, reasons: Reason[]): JobRecord =>
    rejectedRecord({
      jobId: key,
      owner: rejection.owner,
      at,
      reason,
      reasons,
      requestHash: rejection.hash,
      request: rejection.request,
      sourceMessageId: rejection.messageId,
      retentionSeconds: deps.policy.recordRetentionSeconds,
    });
  const record = write(rejection.key, rejection.reason, rejection.reasons);
  const first = await deps.store.create(record);
  if (first.created) {
    noteTransition(rejection.events, record);
    log.warn('request rejected', { reason: rejection.reason, reasons: rejection.reasons });
    return 'Rejected';
  }
  if (first.existing.requestHash === rejection.hash) {
    log.info('rejection already recorded (redelivery)', { state: first.existing.state });
    return 'Duplicate';
  }
  return recordConflict(deps, log, { ...rejection, existing: first.existing, write });
}

export async function recordConflict(
  deps: SubmitDeps,
  log: Log,
  input: Rejection & {
    existing: JobRecord;
    write?: (key: string, reason: string, reasons: Reason[]) => JobRecord;
  },
): Promise<Outcome> {
  const conflict: Reason = {
    path: 'jobId',
    rule: 'request.conflict',
    message: `jobId ${input.key} already holds a different request (state ${input.existing.state}); it is left unchanged`,
  };
  const reasons = input.reason === REJECTION.conflict ? [conflict] : [conflict, ...input.reasons];
  const write =
    input.write ??
    ((key: string, reason: string, rs: Reason[]) =>
      rejectedRecord({
        jobId: key,
        owner: input.owner,
        at: deps.now().toISOString(),
        reason,
        reasons: rs,
        requestHash: input.hash,
        request: input.request,
        sourceMessageId: input.messageId,
        retentionSeconds: deps.policy.recordRetentionSeconds,
      }));
  log.warn('jobId conflict: a different request holds this jobId', {
    existingState: input.existing.state,
    existingHash: input.existing.requestHash,
    requestHash: input.hash,
    recordedUnder: input.messageId,
  });
  if (input.key === input.messageId) return 'Conflict';
  const record = write(input.messageId, REJECTION.conflict, reasons);
  const notice = await deps.store.create(record);
  if (notice.created) noteTransition(input.events, record);
  else if (notice.existing.requestHash !== input.hash) {
    log.error('message id already holds another record', { messageId: input.messageId });
  }
  return 'Conflict';
}
