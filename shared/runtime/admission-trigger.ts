import type { Log } from '../core/ports.ts';
import type { AdmissionStats } from './admission-pass.ts';

/**
 * Runs admission passes on demand, one at a time: a request while a pass runs makes one more pass
 * after it (never a queue of them), so a burst of finished jobs costs a few passes, not one each.
 */
export class AdmissionTrigger {
  private running: Promise<void> | undefined;
  private dirty = false;
  /**
   * False once a pass has read the queue empty, until a request says a job was queued or seen
   * queued: a job that ends then frees quota, or meets a dependency, for no one.
   */
  private queueMayHoldJobs = true;

  private readonly pass: () => Promise<AdmissionStats>;
  private readonly log: Log;
  private readonly onPass?: (stats: AdmissionStats) => void;

  /** `onPass`: each pass's figures (the handlers make metrics of them). */
  constructor(pass: () => Promise<AdmissionStats>, log: Log, onPass?: (stats: AdmissionStats) => void) {
    this.pass = pass;
    this.log = log;
    this.onPass = onPass;
  }

  /** A pass: a job was queued, resumed or seen queued (or a first look). */
  request(): void {
    this.queueMayHoldJobs = true;
    this.dirty = true;
    this.running ??= this.loop().finally(() => {
      this.running = undefined;
    });
  }

  /**
   * A job ended: a pass, unless the queue was read empty since the last job was queued. A job
   * queued after that read has a suspended Job, whose sighting (`request`) brings the pass.
   */
  jobEnded(): void {
    if (this.queueMayHoldJobs) this.request();
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
        // A request during the pass may have come after its read: then the queue may hold jobs.
        if (stats.queued === 0 && !this.dirty) this.queueMayHoldJobs = false;
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
