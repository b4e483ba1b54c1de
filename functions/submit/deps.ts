import type { JobReader, JobStore, KubeJobs, Log } from '../../shared/core/ports.ts';
import type { Policy } from '../../shared/core/submit/policy.ts';
import { storeUntil } from '../../shared/runtime/deadline.ts';

/** What a message ended as; each is also a metric (count). */
export const OUTCOMES = [
  'Accepted',
  'Duplicate',
  'Rejected',
  /** Refused for its sender (authorize.ts): a REJECTED record under the message id. */
  'NotAuthorized',
  'Conflict',
  'KubeRefused',
  'SubmitAfterCancel',
  'CancelApplied',
  'CancelBeforeSubmit',
  'CancelRepeated',
  'CancelIgnored',
  'CancelRaceCleaned',
  'Suspended',
  'SuspendRepeated',
  'Resumed',
  /** A suspend or resume of a finished job, or a resume of a job not suspended: nothing to do. */
  'ControlIgnored',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface SubmitDeps {
  store: JobStore;
  /** The one consistent read of a batch's records after its creates (cancel-check.ts), and of dependencies. */
  reader: Pick<JobReader, 'getStates'>;
  /** Requests an admission pass (shared/runtime/admission-trigger.ts) and waits for it. */
  admit?: () => Promise<void>;
  /** Retries transient faults itself, never past the deadline each call is given. */
  kube: KubeJobs;
  policy: Policy;
  log: Log;
  /** Adds `value` (default 1) to a count metric. */
  count: (metric: string, value?: number) => void;
  now: () => Date;
}

/** A Job this batch created, to check once, after all creates, that no cancel got in between. */
export interface CreatedJob {
  jobId: string;
  namespace: string;
  jobName: string;
  messageId: string;
  log: Log;
}

/** Per-batch state: with it, the cancel check runs once per batch, not per record. */
export interface BatchScope {
  created: CreatedJob[];
  /** A job was queued or resumed: the batch ends with an admission pass. */
  queued: boolean;
}

export const newScope = (): BatchScope => ({ created: [], queued: false });

/**
 * The batch's DynamoDB calls bound by its deadline, as its Kubernetes calls are: none outlives
 * the invocation (a call cut short is a transient fault: the message is redelivered).
 */
export function untilDeadline(deps: SubmitDeps, deadline: number): SubmitDeps {
  const call = { deadline };
  const { reader } = deps;
  return {
    ...deps,
    store: storeUntil(deps.store, call),
    reader: { getStates: (jobIds) => reader.getStates(jobIds, call) },
  };
}

/** What the use cases of one message are given. */
export interface MessageContext {
  deps: SubmitDeps;
  /** The message's logger: its lines carry the jobId and the message id. */
  log: Log;
  messageId: string;
  /** The SQS record's SenderId (who sent it, as SQS saw the credentials); the policy maps it to owners. */
  senderId: string | undefined;
  /** Epoch milliseconds: no Kubernetes call outlives it, and a message still in flight then is redelivered. */
  deadline: number;
  scope: BatchScope;
}

/** A fault worth a redelivery: the message is reported as a batch item failure. */
export class RetryLater extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RetryLater';
  }
}
