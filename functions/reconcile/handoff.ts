/** Where each namespace's watches had got to: every event up to these versions was handled. */
export type WatchVersions = Record<string, { jobs: string; pods: string }>;

/**
 * How one invocation hands its watch to the next, so that what happens between two invocations
 * is delivered as soon as the next one starts, not found by its resync.
 */
export interface WatchHandoff {
  /** The versions the previous invocation left, if they are still fresh; taken once. */
  take(now: number): WatchVersions | undefined;
  leave(versions: WatchVersions, now: number): void;
}

/**
 * The handoff kept in the container. With reserved concurrency 1 and a schedule every minute,
 * the next invocation runs in the same warm container; a new container finds nothing and starts
 * from a fresh list, as every invocation did before. Keeping it in DynamoDB instead would cost a
 * write a minute to cover the rare container change, which the resync covers anyway.
 */
export class ContainerHandoff implements WatchHandoff {
  private left: { versions: WatchVersions; at: number } | undefined;
  /**
   * Versions older than this are not used: the API server keeps a few minutes of watch history
   * at most, and replaying a long one is slower than listing.
   */
  private readonly maxAgeMs: number;

  constructor(maxAgeMs: number) {
    this.maxAgeMs = maxAgeMs;
  }

  take(now: number): WatchVersions | undefined {
    const left = this.left;
    this.left = undefined;
    return left && now - left.at <= this.maxAgeMs ? left.versions : undefined;
  }

  leave(versions: WatchVersions, now: number): void {
    this.left = { versions, at: now };
  }
}
