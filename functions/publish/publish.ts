import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { recordChangeOf } from '../../shared/adapters/dynamodb/stream-record.ts';
import { changeEvent, type StateChangeEvent } from '../../shared/core/job/events.ts';
import type { EventPublisher, Log } from '../../shared/core/ports.ts';

export interface PublishDeps {
  publisher: EventPublisher;
  log: Log;
  /** Adds `value` to a count metric. */
  count: (metric: string, value: number) => void;
}

/** The count of jobs that entered a state, e.g. `JobsTimedOut`: the dashboard's outcomes. */
export function stateMetric(state: string): string {
  return `Jobs${state
    .toLowerCase()
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('')}`;
}

interface Pending {
  event: StateChangeEvent;
  sequenceNumber: string;
}

/**
 * A batch of the jobs table's stream: the "Job State Change" event of each write that deserves
 * one (changeEvent), published in stream order. Events go out at least once: on a failure the
 * batch answers with the first record whose event is not on the bus, and the stream retries
 * from it (later records included), so a record's event is never skipped; a retry may send
 * again events after it that did go out, which consumers drop by `detail.eventId`.
 * A record that is not a job record is logged, counted (`EventsSkipped`) and passed over: no
 * retry could make an event of it, and it must not hold up the stream.
 */
export async function publishChanges(
  deps: PublishDeps,
  records: readonly DynamoDBRecord[],
  options: { deadline: number },
): Promise<DynamoDBBatchResponse> {
  const pending: Pending[] = [];
  let skipped = 0;
  for (const record of records) {
    try {
      const change = recordChangeOf(record);
      const event = changeEvent(change.before, change.after);
      if (event) pending.push({ event, sequenceNumber: change.sequenceNumber });
    } catch (error) {
      skipped++;
      deps.log.error('stream record skipped', {
        sequenceNumber: record.dynamodb?.SequenceNumber,
        eventName: record.eventName,
        error: String(error),
      });
    }
  }
  if (skipped > 0) deps.count('EventsSkipped', skipped);
  const { published, error } = await deps.publisher.publish(
    pending.map((p) => p.event),
    { deadline: options.deadline },
  );
  deps.count('EventsPublished', published);
  for (const { event } of pending.slice(0, published)) deps.count(stateMetric(event.detail.state), 1);
  const first = pending[published];
  if (!first) return { batchItemFailures: [] };
  deps.count('EventsFailed', pending.length - published);
  deps.log.error('events not published: the stream retries them', {
    error,
    unpublished: pending.length - published,
    from: first.sequenceNumber,
    jobId: first.event.detail.jobId,
  });
  return { batchItemFailures: [{ itemIdentifier: first.sequenceNumber }] };
}
