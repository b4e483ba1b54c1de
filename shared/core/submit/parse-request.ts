import type { Reason } from '../job/record.ts';
import { JOB_ID_PATTERN } from './request-fields.ts';
import { requestHash } from './request-hash.ts';
import {
  type ControlRequest,
  controlRequestSchema,
  type SubmitRequest,
  submitRequestSchema,
} from './request-schema.ts';
import type * as z from './zod.ts';

/** Bodies above this are refused before parsing (a record must fit a DynamoDB item). */
export const MAX_BODY_BYTES = 128 * 1024;
const MAX_REASONS = 50;

export type Parsed =
  | { kind: 'submit'; jobId: string; request: SubmitRequest & { jobId: string }; hash: string }
  | {
      [K in ControlRequest['action']]: { kind: K; request: ControlRequest; hash: string };
    }[ControlRequest['action']]
  | {
      kind: 'invalid';
      /** The jobId the rejection is recorded under: the body's, when usable, else the message id. */
      key: string;
      owner: string;
      reasons: Reason[];
      /** Hash of the raw body, so that a redelivery is recognised as the same request. */
      hash: string;
    };

/** `a.b[2].c` from a zod issue path. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i > 0 ? '.' : ''}${String(part)}`))
    .join('');
}

type Issue = z.core.$ZodIssue;

/** Nested issues (a record key, a map element, a union branch) are flattened to their leaves. */
function leaves(issue: Issue, prefix: readonly PropertyKey[] = []): { path: PropertyKey[]; issue: Issue }[] {
  const path = [...prefix, ...issue.path];
  if ((issue.code === 'invalid_key' || issue.code === 'invalid_element') && issue.issues.length > 0)
    return issue.issues.flatMap((inner) => leaves(inner, path));
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // report the branch that came closest (fewest issues)
    const best = [...issue.errors].sort((a, b) => a.length - b.length)[0] ?? [];
    if (best.length > 0) return best.flatMap((inner) => leaves(inner, path));
  }
  return [{ path, issue }];
}

export function issuesToReasons(issues: readonly Issue[]): Reason[] {
  return issues
    .flatMap((issue) => leaves(issue))
    .slice(0, MAX_REASONS)
    .map(({ path, issue }) => {
      const params = (issue as { params?: { rule?: unknown } }).params;
      const rule = typeof params?.rule === 'string' ? params.rule : `schema.${issue.code}`;
      return { path: issuePath(path), rule, message: issue.message };
    });
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function usable(value: unknown): string | undefined {
  return typeof value === 'string' && JOB_ID_PATTERN.test(value) ? value : undefined;
}

/**
 * Parses one SQS body. A submit without a jobId takes the message id (redeliveries of one message
 * keep their id, so they stay one job). Anything unusable becomes `invalid` with reasons; an invalid
 * cancel is recorded under the message id, never under the jobId it names (that record belongs to
 * the job's submit).
 */
export function parseBody(body: string, messageId: string): Parsed {
  const invalid = (reasons: Reason[], key = messageId, owner?: unknown): Parsed => ({
    kind: 'invalid',
    key,
    owner: usable(owner) ?? 'unknown',
    reasons,
    hash: requestHash({ rawBody: body }),
  });
  if (Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES)
    return invalid([
      { path: '', rule: 'request.too_large', message: `the body is above ${MAX_BODY_BYTES} bytes` },
    ]);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    return invalid([
      { path: '', rule: 'request.invalid_json', message: `not JSON: ${(error as Error).message}` },
    ]);
  }
  if (!isObject(json))
    return invalid([{ path: '', rule: 'schema.invalid_type', message: 'the body must be a JSON object' }]);

  if (json.action === 'cancel' || json.action === 'suspend' || json.action === 'resume') {
    const parsed = controlRequestSchema.safeParse(json);
    if (!parsed.success) return invalid(issuesToReasons(parsed.error.issues), messageId, json.requestedBy);
    return { kind: parsed.data.action, request: parsed.data, hash: requestHash(parsed.data) } as Parsed;
  }
  const key = json.jobId === undefined ? messageId : (usable(json.jobId) ?? messageId);
  const parsed = submitRequestSchema.safeParse(json);
  if (!parsed.success) return invalid(issuesToReasons(parsed.error.issues), key, json.owner);
  const jobId = parsed.data.jobId ?? messageId;
  const request = { ...parsed.data, jobId };
  return { kind: 'submit', jobId, request, hash: requestHash(request) };
}
