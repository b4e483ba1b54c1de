import type { StateChangeEvent } from '../core/job/events.ts';
import type { EventPublisher, Log } from '../core/ports.ts';

/** Time a publish may take past the deadline it is given. */
const PUBLISH_GRACE_MS = 1000;

/**
 * Publishes state-change events, best effort: the record is the source of truth, so an event that
 * cannot be published is logged and counted, and never fails the caller. With a deadline, a hung
 * PutEvents is given up on shortly after it, so that it cannot time the invocation out.
 */
export async function publishBestEffort(
  publisher: EventPublisher | undefined,
  events: readonly StateChangeEvent[],
  options: { log: Log; deadline?: number },
): Promise<{ published: number; failed: number }> {
  if (events.length === 0 || !publisher) return { published: 0, failed: 0 };
  let timer: NodeJS.Timeout | undefined;
  const publishing = publisher.publish(events);
  publishing.catch(() => {}); // a late failure after the timeout was already counted
  const racers: Promise<{ failed: number }>[] = [publishing];
  const { deadline } = options;
  if (deadline !== undefined) {
    racers.push(
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error('publishing timed out')),
          Math.max(0, deadline + PUBLISH_GRACE_MS - Date.now()),
        );
      }),
    );
  }
  let failed: number;
  try {
    ({ failed } = await Promise.race(racers));
    if (failed > 0) options.log.error('state change events not published', { failed, of: events.length });
  } catch (error) {
    failed = events.length;
    options.log.error('publishing state change events failed', {
      jobIds: events.map((e) => e.detail.jobId),
      error: String(error),
    });
  } finally {
    clearTimeout(timer);
  }
  return { published: events.length - failed, failed };
}
