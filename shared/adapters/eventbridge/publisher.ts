import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { StateChangeEvent } from '../../core/job/events.ts';
import type { CallOptions, EventPublisher, Published } from '../../core/ports.ts';
import { awsCall, failed, JOB_IDS } from '../../runtime/tracing.ts';
import { abortSignalOf } from '../dynamodb/client.ts';

/** PutEvents takes at most 10 entries per call. */
export const PUT_EVENTS_BATCH = 10;
const MAX_ATTEMPTS = 3;

/**
 * EventBridge PutEvents in batches of 10, in order. Entries that fail (throttling, internal
 * errors) are sent again, at most three times in all. The first batch that still has a failed
 * entry, or whose call fails, ends the publish: what follows is left for the caller's retry.
 */
export class EventBridgePublisher implements EventPublisher {
  private readonly client: EventBridgeClient;
  private readonly busName: string;
  readonly counters = { calls: 0, published: 0, failed: 0 };

  constructor(client: EventBridgeClient, busName: string) {
    this.client = client;
    this.busName = busName;
  }

  async publish(events: readonly StateChangeEvent[], options: CallOptions = {}): Promise<Published> {
    for (let start = 0; start < events.length; start += PUT_EVENTS_BATCH) {
      const batch = events.slice(start, start + PUT_EVENTS_BATCH);
      // One span per batch, its entries sent again included, with the jobs of its events.
      const jobIds = batch.map((event) => event.detail.jobId);
      const error = await awsCall('EventBridge', 'PutEvents', { [JOB_IDS]: jobIds }, async (span) => {
        const why = await this.putBatch(
          batch.map((event) => this.entry(event)),
          options,
        );
        if (why) failed(span, why);
        return why;
      });
      if (error) {
        this.counters.failed += events.length - start;
        return { published: start, error };
      }
    }
    return { published: events.length };
  }

  /** Undefined once every entry is on the bus; else why not. */
  private async putBatch(
    entries: PutEventsRequestEntry[],
    options: CallOptions,
  ): Promise<string | undefined> {
    for (let attempt = 1; ; attempt++) {
      this.counters.calls++;
      let failed: PutEventsRequestEntry[];
      let code: string | undefined;
      try {
        const out = await this.client.send(
          new PutEventsCommand({ Entries: entries }),
          abortSignalOf(options),
        );
        failed = entries.filter((_, n) => out.Entries?.[n]?.ErrorCode !== undefined);
        code = out.Entries?.find((e) => e.ErrorCode !== undefined)?.ErrorCode;
      } catch (error) {
        return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
      this.counters.published += entries.length - failed.length;
      if (failed.length === 0) return undefined;
      if (attempt >= MAX_ATTEMPTS)
        return `${failed.length} entries failed after ${attempt} attempts (${code})`;
      entries = failed;
    }
  }

  private entry(event: StateChangeEvent): PutEventsRequestEntry {
    return {
      EventBusName: this.busName,
      Source: event.source,
      DetailType: event.detailType,
      Time: new Date(event.time),
      Detail: JSON.stringify(event.detail),
    };
  }
}

export function createEventBridgeClient(): EventBridgeClient {
  return new EventBridgeClient({ region: process.env.AWS_REGION, maxAttempts: 4 });
}
