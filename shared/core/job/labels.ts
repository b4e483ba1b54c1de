/** Labels and annotations that mark the Kubernetes objects this system manages. */
export const MANAGER = 'eks-job-runner';
export const RESERVED_PREFIX = 'eks-job-runner.io/';

export const LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  /** The Job's name, which is derived from the jobId and is always a valid label value. */
  jobKey: `${RESERVED_PREFIX}job-key`,
  /** The owner, sanitised to a label value (the raw owner is an annotation). */
  owner: `${RESERVED_PREFIX}owner`,
} as const;

export const ANNOTATIONS = {
  jobId: `${RESERVED_PREFIX}job-id`,
  owner: `${RESERVED_PREFIX}owner`,
  requestHash: `${RESERVED_PREFIX}request-hash`,
  submittedAt: `${RESERVED_PREFIX}submitted-at`,
  sourceMessageId: `${RESERVED_PREFIX}source-message-id`,
  /**
   * Set by reconcile, in the patch that releases our finalizer from a Job: the Job's record is
   * terminal, and the value is its state (`SUCCEEDED`, say). The resync then need not read the
   * record of a finished Job that waits for its TTL (core/reconcile/settled.ts). Contract v1.4.
   */
  settled: `${RESERVED_PREFIX}settled`,
} as const;

export const MANAGED_SELECTOR = `${LABELS.managedBy}=${MANAGER}`;

/**
 * Our finalizer, on every managed Job and its pods: a TTL or garbage-collection delete waits until
 * reconcile has written the terminal record and its results, then reconcile removes it.
 */
export const FINALIZER = `${RESERVED_PREFIX}record`;

export function holdsFinalizer(object: { metadata?: { finalizers?: string[] } }): boolean {
  return object.metadata?.finalizers?.includes(FINALIZER) ?? false;
}
