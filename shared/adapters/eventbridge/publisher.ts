import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { StateChangeEvent } from '../../core/job/events.ts';
import type { EventPublisher } from '../../core/ports.ts';

/** PutEvents takes at most 10 entries per call. */
export const PUT_EVENTS_BATCH = 10;
const MAX_ATTEMPTS = 3;

/**
 * EventBridge PutEvents in batches of 10. Entries that fail (throttling, internal errors)
 * are sent again, at most three times in all; what still fails is counted and returned.
 */
export class EventBridgePublisher implements EventPublisher {
  private readonly client: EventBridgeClient;
  private readonly busName: string;
  readonly counters = { calls: 0, published: 0, failed: 0 };

  constructor(client: EventBridgeClient, busName: string) {
    this.client = client;
    this.busName = busName;
  }

  async publish(events: readonly StateChangeEvent[]): Promise<{ failed: number }> {
    let failed = 0;
    for (let i = 0; i < events.length; i += PUT_EVENTS_BATCH) {
      let entries: PutEventsRequestEntry[] = events.slice(i, i + PUT_EVENTS_BATCH).map((event) => ({
        EventBusName: this.busName,
        Source: event.source,
        DetailType: event.detailType,
        Time: new Date(event.time),
        Detail: JSON.stringify(event.detail),
      }));
      for (let attempt = 1; entries.length > 0; attempt++) {
        this.counters.calls++;
        const out = await this.client.send(new PutEventsCommand({ Entries: entries }));
        const retry = entries.filter((_, n) => out.Entries?.[n]?.ErrorCode !== undefined);
        this.counters.published += entries.length - retry.length;
        if (attempt >= MAX_ATTEMPTS) {
          failed += retry.length;
          break;
        }
        entries = retry;
      }
    }
    this.counters.failed += failed;
    return { failed };
  }
}

export function createEventBridgeClient(): EventBridgeClient {
  return new EventBridgeClient({ region: process.env.AWS_REGION, maxAttempts: 4 });
}
