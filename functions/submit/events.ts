import { type StateChangeEvent, stateChangeEvent } from '../../shared/core/job/events.ts';
import type { JobRecord } from '../../shared/core/job/record.ts';
import type { Log, SubmitDeps } from './deps.ts';

/**
 * Time a publish may take past the batch deadline. The handler's deadline leaves 3 s before the
 * Lambda timeout, so a hung PutEvents cannot time the invocation out (which would redeliver the batch).
 */
const PUBLISH_GRACE_MS = 1000;

/**
 * Notes a transition this function wrote (REJECTED, CANCELLED), to be published once the message or
 * batch is done. Called only after the conditional write succeeded, so that a redelivery, which finds
 * the record written and writes nothing, publishes nothing.
 */
export function noteTransition(events: StateChangeEvent[], next: JobRecord, previous?: JobRecord): void {
  events.push(stateChangeEvent(next, previous));
}

/**
 * Best effort, as in the reconciler: the record is the source of truth, so an event that cannot be
 * published is logged and counted (EventsFailed) and never fails a message. Failing it would not
 * help: its redelivery finds the record written and has nothing to publish.
 */
export async function publishTransitions(
  deps: SubmitDeps,
  log: Log,
  events: readonly StateChangeEvent[],
  deadline: number,
): Promise<void> {
  if (events.length === 0 || !deps.publish) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error('publishing timed out')),
      Math.max(0, deadline + PUBLISH_GRACE_MS - Date.now()),
    );
  });
  let failed: number;
  try {
    const publishing = deps.publish(events);
    publishing.catch(() => {}); // if it fails after the timeout, it was already counted as failed
    ({ failed } = await Promise.race([publishing, timeout]));
    if (failed > 0) log.error('state change events not published', { failed, of: events.length });
  } catch (error) {
    failed = events.length;
    log.error('publishing state change events failed', {
      jobIds: events.map((e) => e.detail.jobId),
      error: String(error),
    });
  } finally {
    clearTimeout(timer);
  }
  deps.count('EventsPublished', events.length - failed);
  if (failed > 0) deps.count('EventsFailed', failed);
}
