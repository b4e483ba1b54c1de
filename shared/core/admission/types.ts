/** What a job holds while admitted, and what a quota caps: sums across a scope's admitted jobs. */
export interface Usage {
  jobs: number;
  /** Millicores (integers, so that sums in DynamoDB and here agree exactly). */
  cpu: number;
  /** Bytes. */
  memory: number;
  gpu: number;
}

export const USAGE_DIMENSIONS = ['jobs', 'cpu', 'memory', 'gpu'] as const satisfies readonly (keyof Usage)[];

/** A quota: a cap per dimension; an absent cap is no cap. */
export type Limits = Partial<Usage>;

/**
 * One usage counter: `owner#team-a` and `namespace#jobs` are capped by their quotas;
 * `share#jobs#team-a` (an owner within a namespace that has a quota) has no cap and gives the
 * owner's fair share.
 */
export type Scope = `owner#${string}` | `namespace#${string}` | `share#${string}#${string}`;

export type DependencyCondition = 'SUCCEEDED' | 'FINISHED';

export interface Dependency {
  jobId: string;
  condition: DependencyCondition;
}

/**
 * A job under admission. It waits in QUEUED with its Job suspended; admission takes its charge in
 * every scope (conditional on each quota) in the same transaction that moves the record to PENDING,
 * and the write that moves it out of PENDING/RUNNING (terminal, or suspended) gives the charge back.
 */
export interface Admission {
  charge: Usage;
  /** The counters it charges: its owner's and its namespace's, where a quota applies. */
  scopes: Scope[];
  /** Its priority class's value in the policy (admission.priorities); higher goes first. */
  priority: number;
  /** When it joined its queue (last: a resume joins again). */
  queuedAt: string;
  dependsOn?: Dependency[];
  /** The record version of the write that took the charge, while it is held. */
  heldAtVersion?: number;
  /** The record version of the write that gave it back (the store applies the give-back with that write). */
  releasedAtVersion?: number;
  admittedAt?: string;
}

export interface Suspension {
  by: string;
  senderId?: string;
  reason?: string;
  at: string;
}

export const isHeld = (admission: Admission | undefined): boolean => admission?.heldAtVersion !== undefined;

/** Whether the write of `record` is the one that gives its charge back. */
export const releasesCharge = (record: { version: number; admission?: Admission }): boolean =>
  record.admission?.releasedAtVersion === record.version;

/** Whether the write of `record` is the one that takes its charge. */
export const takesCharge = (record: { version: number; admission?: Admission }): boolean =>
  record.admission?.heldAtVersion === record.version;
