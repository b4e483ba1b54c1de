import type { StateChangeEvent } from '../../../shared/core/job/events.ts';
import type { EventPublisher, Log, Published } from '../../../shared/core/ports.ts';

/**
 * The publish port (EventBridgePublisher) in memory: one entry in `calls` per publish call.
 * `failFrom` scripts a failure: the events from that index on are not published.
 */
export class FakeBus implements EventPublisher {
  readonly calls: StateChangeEvent[][] = [];
  failFrom?: number;
  readonly published: StateChangeEvent[] = [];
  readonly publish = async (events: readonly StateChangeEvent[]): Promise<Published> => {
    await Promise.resolve();
    this.calls.push(structuredClone([...events]));
    const published = Math.min(events.length, this.failFrom ?? events.length);
    this.published.push(...structuredClone(events.slice(0, published)));
    return published < events.length ? { published, error: 'PutEvents: service unavailable' } : { published };
  };
}

export const silentLog: Log = { info() {}, warn() {}, error() {}, child: () => silentLog };
