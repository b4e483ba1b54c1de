/** A failed Kubernetes call, parsed (see shared/adapters/kubernetes/errors.ts). */
export interface KubeFailure {
  /** HTTP status; undefined when no response came (network, timeout). */
  status?: number;
  /** The Status object's reason: `AlreadyExists`, `Forbidden`, `Invalid`, ... */
  reason?: string;
  message: string;
  retryAfterSeconds?: number;
}

export type FailureClass = 'transient' | 'permanent' | 'already-exists' | 'not-found';

/**
 * Transient: no response, 401 (an expired token is renewed), 408, 409 other than AlreadyExists,
 * 429, 5xx, a 403 from the authorizer (RBAC: a deployment fault, see below) and a 403 for an
 * exhausted ResourceQuota (it frees up). Permanent: other 4xx, among them 403 from admission and
 * 422 (validation, admission).
 */
export function classifyKube(failure: KubeFailure): FailureClass {
  const { status } = failure;
  if (status === undefined) return 'transient';
  if (status === 409) return failure.reason === 'AlreadyExists' ? 'already-exists' : 'transient';
  if (status === 404) return 'not-found';
  if (status === 401 || status === 408 || status === 429 || status >= 500) return 'transient';
  if (status === 403 && (isAuthorizationDenial(failure.message) || /exceeded quota/i.test(failure.message)))
    return 'transient';
  return 'permanent';
}

/**
 * A 403 from the authorizer (`... is forbidden: User "x" cannot create resource ...`) says nothing
 * about the request: the runner's RBAC is missing, or, as seen on the local stack, a restarted
 * apiserver answers before its RBAC cache is synced. It is retried and ends in the DLQ, never a
 * REJECTED record; 403s from admission (webhooks, policies) are about the request and are final.
 */
export function isAuthorizationDenial(message: string): boolean {
  return /is forbidden: User ".*" cannot [a-z]+ resource/.test(message);
}

/** The rule id a permanent refusal is recorded with. */
export function kubeRule(failure: KubeFailure): string {
  if (failure.status === 403) return 'kube.forbidden';
  if (failure.status === 422) return 'kube.invalid';
  return `kube.http_${failure.status ?? 'error'}`;
}
