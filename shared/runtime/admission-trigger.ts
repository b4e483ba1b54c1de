import type { Log } from '../core/ports.ts';
import type { AdmissionStats } from './admission-pass.ts';

/**
 * Runs admission passes on demand, one at a time: a request while a pass runs makes one more pass
 * after it (never a queue of them), so a burst of finished jobs costs a few passes, not one each.
 */
export class AdmissionTrigger {
  private running: Promise<void> | undefined;
  private dirty = false;

  private readonly pass: () => Promise<AdmissionStats>;
  private readonly log: Log;
  private readonly onPass?: (stats: AdmissionStats) => void;

  /** `onPass`: each pass's figures (the handlers make metrics of them). */
  constructor(pass: () => Promise<AdmissionStats>, log: Log, onPass?: (stats: AdmissionStats) => void) {
    this.pass = pass;
    this.log = log;
    this.onPass = onPass;
  }

  request(): void {
    this.dirty = true;
    this.running ??= this.loop().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves when no pass is running or due. */
  async settle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    while (this.dirty) {
      this.dirty = false;
      try {
        const stats = await this.pass();
        // A job failed for its dependency may be another's dependency: look again at once.
        if (stats.dependencyFailed > 0) this.dirty = true;
        this.onPass?.(stats);
        if (stats.queued > 0)
          this.log.info('admission pass', { ...stats, waits: undefined, byOwner: undefined });
      } catch (error) {
        // The next request, or the next invocation's first pass, tries again.
        this.log.warn('admission pass failed', { error: String(error) });
      }
    }
  }
}
