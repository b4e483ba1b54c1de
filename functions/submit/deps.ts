import type { StateChangeEvent } from '../../shared/core/job/events.ts';
import type { JobState } from '../../shared/core/job/state.ts';
import type { JobStore, KubeJobs } from '../../shared/core/ports.ts';
import type { Policy } from '../../shared/core/submit/policy.ts';

/** A structured logger; `child` adds keys (jobId, messageId) to every line it writes. */
export interface Log {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
  child(keys: Record<string, unknown>): Log;
}

/** What a message ended as; each is also a metric (count). */
export const OUTCOMES = [
  'Accepted',
  'Duplicate',
  'Rejected',
  'Conflict',
  'KubeRefused',
  'SubmitAfterCancel',
  'CancelApplied',
  'CancelBeforeSubmit',
  'CancelRepeated',
  'CancelIgnored',
  'CancelRaceCleaned',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface RetrySettings {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface SubmitDeps {
  store: JobStore;
  kube: KubeJobs;
  policy: Policy;
  log: Log;
  /** Adds `value` (default 1) to a count metric. */
  count: (metric: string, value?: number) => void;
  now: () => Date;
  retry: RetrySettings;
  sleep?: (ms: number) => Promise<void>;
  /** Many records' states in one consistent read (DynamoDbJobStore.states); else one get each. */
  states?: (jobIds: readonly string[]) => Promise<Map<string, JobState>>;
  /**
   * Publishes "Job State Change" events (EventBridgePublisher.publish): resolves with how many could
   * not be published. Absent when no bus is configured: nothing is published.
   */
  publish?: (events: readonly StateChangeEvent[]) => Promise<{ failed: number }>;
}

/** A Job this batch created, to check once, after all creates, that no cancel got in between. */
export interface CreatedJob {
  jobId: string;
  namespace: string;
  jobName: string;
  messageId: string;
  log: Log;
}

/** Per-batch state: with it, the cancel check runs once per batch instead of once per record. */
export interface BatchScope {
  created: CreatedJob[];
  /** The REJECTED and CANCELLED transitions the batch wrote, published together at its end. */
  events: StateChangeEvent[];
}

export const DEFAULT_RETRY: RetrySettings = { attempts: 4, baseDelayMs: 100, maxDelayMs: 2000 };

/** A fault worth a redelivery: the message is reported as a batch item failure. */
export class RetryLater extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RetryLater';
  }
}
