import type { StateChangeEvent } from '../../../shared/core/job/events.ts';
import type { EventPublisher, Log } from '../../../shared/core/ports.ts';

/**
 * The publish port (EventBridgePublisher) in memory: one entry in `calls` per publish call.
 * `outcome` scripts the answer: all published (default), some not ('partial'), a throw, or no answer.
 */
export class FakeBus implements EventPublisher {
  readonly calls: StateChangeEvent[][] = [];
  outcome: 'ok' | 'partial' | 'throw' | 'hang' = 'ok';
  get published(): StateChangeEvent[] {
    return this.calls.flat();
  }
  readonly publish = async (events: readonly StateChangeEvent[]): Promise<{ failed: number }> => {
    await Promise.resolve();
    this.calls.push(structuredClone([...events]));
    if (this.outcome === 'throw') throw new Error('PutEvents: service unavailable');
    if (this.outcome === 'hang') return new Promise(() => {});
    return { failed: this.outcome === 'partial' ? 1 : 0 };
  };
}

export const silentLog: Log = { info() {}, warn() {}, error() {}, child: () => silentLog };
