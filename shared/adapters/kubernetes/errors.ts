import { classifyKube, type FailureClass, type KubeFailure } from '../../core/kube-failure.ts';
import { ApiException } from './client-node.ts';

export class KubeError extends Error {
  readonly failure: KubeFailure;
  readonly kind: FailureClass;
  constructor(failure: KubeFailure, options?: { cause?: unknown }) {
    super(
      `kubernetes: ${failure.status ?? 'no response'} ${failure.reason ?? ''} ${failure.message}`.trim(),
      options,
    );
    this.name = 'KubeError';
    this.failure = failure;
    this.kind = classifyKube(failure);
  }
}

/**
 * The texts of a `Warning` header (RFC 7234: `299 - "text"`, several joined by commas). PodSecurity
 * enforces on pods only; on a Job it warns "would violate PodSecurity", which is how a Job whose pods
 * can never be created is recognised at submit time.
 */
export function parseWarnings(header: string | undefined): string[] {
  if (!header) return [];
  const texts: string[] = [];
  const re = /\d{3}\s+\S+\s+"((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(header); m; m = re.exec(header)) texts.push((m[1] ?? '').replace(/\\(.)/g, '$1'));
  return texts.length > 0 ? texts : [header];
}

/** Retry-After as seconds (delta-seconds or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * client-node 2.x puts the raw response text in `ApiException.body` (a string, not a Status):
 * parse it for the Status `reason` and `message`, and read Retry-After from the headers.
 */
export function toKubeFailure(error: unknown): KubeFailure {
  if (error instanceof ApiException) {
    const code = error.code as number;
    const raw: unknown = error.body;
    let status: { reason?: unknown; message?: unknown } | undefined;
    if (typeof raw === 'string') {
      try {
        status = JSON.parse(raw) as typeof status;
      } catch {
        status = { message: raw.slice(0, 1024) };
      }
    } else if (raw && typeof raw === 'object') status = raw as typeof status;
    const headers = (error.headers ?? {}) as Record<string, string>;
    return {
      status: code,
      reason: typeof status?.reason === 'string' ? status.reason : undefined,
      message: typeof status?.message === 'string' ? status.message : `HTTP ${code}`,
      retryAfterSeconds: parseRetryAfter(headers['retry-after'] ?? headers['Retry-After']),
    };
  }
  const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  const detail = err.cause?.code ?? err.cause?.message ?? err.name;
  return { message: `${err.message ?? String(error)}${detail ? ` (${detail})` : ''}` };
}

/**
 * Whether an error that is no ApiException means "no answer": undici's `fetch failed` (refused,
 * reset, TLS), or our timeout's abort. Anything else is a bug and is not dressed up as transient.
 */
export function isNetworkError(error: unknown): boolean {
  const err = error as { name?: string; message?: string; code?: string; cause?: { code?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return true;
  if (err?.name === 'TypeError' && err.message === 'fetch failed') return true;
  const code = err?.code ?? err?.cause?.code ?? '';
  return /^(ECONN|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|UND_ERR)/.test(code);
}
