// The request bodies ejr sends, checked before sending by the submit function's own parser
// (shared/core/submit/parse-request.ts): a bad file fails here, with its reasons, instead of
// becoming a REJECTED record later. The operator policy is not checked: only the function has it.
import type { Reason } from '../shared/core/job/record.ts';
import { parseBody } from '../shared/core/submit/parse-request.ts';

export type Prepared = { ok: true; jobId: string; body: string } | { ok: false; reasons: Reason[] };

/** Stands in for the SQS message id the parser keys an id-less body by; never sent. */
const NO_MESSAGE_ID = 'ejr-local-check';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A submit body from a file's text, with `--job-id` / `--owner` laid over it. A body without a
 * jobId gets a new one: the SDK retries a SendMessage that timed out, and with the id in the body
 * that retry is the same job, not a second one (docs/request.md, "What a missing jobId costs").
 */
export function prepareSubmit(
  text: string,
  overrides: { jobId?: string; owner?: string },
  newJobId: () => string,
): Prepared {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: the parser says so in its own words
    return check(text);
  }
  if (!isObject(json)) return check(text);
  if (json.action === 'cancel')
    return {
      ok: false,
      reasons: [
        { path: 'action', rule: 'cli.use_cancel', message: 'a cancel request: send it with ejr cancel' },
      ],
    };
  const body = {
    ...json,
    ...(overrides.owner !== undefined && { owner: overrides.owner }),
    jobId: overrides.jobId ?? json.jobId ?? newJobId(),
  };
  return check(JSON.stringify(body));
}

/** A cancel, suspend or resume body as docs/request.md defines it. */
export function prepareControl(
  action: 'cancel' | 'suspend' | 'resume',
  jobId: string,
  requestedBy: string,
  reason?: string,
): Prepared {
  return check(JSON.stringify({ action, jobId, requestedBy, ...(reason !== undefined && { reason }) }));
}

export const prepareCancel = (jobId: string, requestedBy: string, reason?: string): Prepared =>
  prepareControl('cancel', jobId, requestedBy, reason);

function check(body: string): Prepared {
  const parsed = parseBody(body, NO_MESSAGE_ID);
  if (parsed.kind === 'invalid') return { ok: false, reasons: parsed.reasons };
  const jobId = parsed.kind === 'submit' ? parsed.jobId : parsed.request.jobId;
  return { ok: true, jobId, body };
}
