import type { StateChangeEvent } from '../../shared/core/job/events.ts';
import { planCancel } from '../../shared/core/submit/cancel-plan.ts';
import type { Parsed } from '../../shared/core/submit/parse-request.ts';
import type { Log, Outcome, SubmitDeps } from './deps.ts';
import { RetryLater } from './deps.ts';
import { noteTransition } from './events.ts';
import { deleteJob } from './submit.ts';

type CancelParsed = Extract<Parsed, { kind: 'cancel' }>;
const MAX_ROUNDS = 5;

/**
 * One cancel. The record is written CANCELLED first (only from an active state, version-checked),
 * then the Job is deleted with propagation Background; a submit that creates its Job after that
 * delete sees CANCELLED on its check read and deletes it. No record yet: a CANCELLED tombstone.
 */
export async function cancel(
  deps: SubmitDeps,
  log: Log,
  parsed: CancelParsed,
  messageId: string,
  deadline: number,
  events: StateChangeEvent[],
): Promise<Outcome> {
  const request = parsed.request;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const existing = await deps.store.get(request.jobId);
    const plan = planCancel(existing, request, {
      at: deps.now().toISOString(),
      sourceMessageId: messageId,
      retentionSeconds: deps.policy.recordRetentionSeconds,
    });
    switch (plan.action) {
      case 'tombstone': {
        const written = await deps.store.create(plan.record);
        if (!written.created) continue; // a submit wrote its record meanwhile: cancel that
        noteTransition(events, plan.record);
        log.info('cancelled before submit: tombstone written', { by: request.requestedBy });
        return 'CancelBeforeSubmit';
      }
      case 'cancel': {
        if (!(await deps.store.replace(plan.next))) continue; // another writer was first: look again
        noteTransition(events, plan.next, existing);
        const { namespace, jobName } = plan.next;
        const deleted =
          namespace && jobName ? await deleteJob(deps, log, namespace, jobName, deadline) : 'not-found';
        log.info('job cancelled', {
          by: request.requestedBy,
          reason: request.reason,
          from: existing?.state,
          deleted,
        });
        return 'CancelApplied';
      }
      case 'already-cancelled': {
        const { namespace, jobName } = plan.existing;
        // Idempotent: a redelivered cancel finishes a delete that an earlier attempt may not have done.
        if (namespace && jobName) await deleteJob(deps, log, namespace, jobName, deadline);
        log.info('already cancelled', { by: plan.existing.cancellation?.by });
        return 'CancelRepeated';
      }
      case 'ignore':
        log.info('cancel ignored: the job already finished', {
          state: plan.existing.state,
          by: request.requestedBy,
        });
        return 'CancelIgnored';
    }
  }
  throw new RetryLater(`cancel of ${request.jobId} lost ${MAX_ROUNDS} races for its record`);
}
