import type { JobRecord, Reason } from '../job/record.ts';
import type { Parsed } from './parse-request.ts';
import type { Principal } from './policy.ts';
import { isTombstone } from './records.ts';

/**
 * Who may submit as which owner and cancel which job (docs/ownership.md). A sender is
 * the SQS record's SenderId, which SQS sets from the credentials of the SendMessage call: the IAM
 * user id, or `AROA…:<session>` for an assumed role. The policy's principals map it to owners.
 */

/** What a sender may do: the union of every principal its id matches. */
export interface Grant {
  /** The owners it may submit for and cancel the jobs of; `*` is any. */
  owners: ReadonlySet<string>;
  cancelAny: boolean;
}

/**
 * Whether a principal's pattern matches a sender: exactly, or by the prefix before a final `*`.
 * `*` alone matches every sender, one without an id too (only a direct invocation makes such a
 * record, and whoever may invoke the function could as well write any id).
 */
export function matchesSender(pattern: string, senderId: string | undefined): boolean {
  if (pattern.endsWith('*')) return (senderId ?? '').startsWith(pattern.slice(0, -1));
  return senderId === pattern;
}

/** The sender's grant; undefined when no principal matches it (then nothing it sends is acted on). */
export function grantOf(principals: readonly Principal[], senderId: string | undefined): Grant | undefined {
  const id = senderId === '' ? undefined : senderId;
  const matching = principals.filter((p) => matchesSender(p.senderId, id));
  if (matching.length === 0) return undefined;
  return { owners: new Set(matching.flatMap((p) => p.owners)), cancelAny: matching.some((p) => p.cancelAny) };
}

const actsFor = (grant: Grant, owner: string) => grant.owners.has('*') || grant.owners.has(owner);
const named = (senderId: string | undefined) =>
  senderId ? `sender ${senderId}` : 'a message without a SenderId';
const notMapped = (senderId: string | undefined): Reason => ({
  path: '',
  rule: 'auth.sender_not_mapped',
  message: `${named(senderId)} is not mapped to any owner by the policy's principals`,
});

/**
 * Why a message is refused before anything else is done for it: a sender no principal matches
 * (whatever it sent, valid or not), or a submit for an owner its sender may not act for.
 * Undefined: go on.
 */
export function messageRefusal(
  principals: readonly Principal[],
  senderId: string | undefined,
  parsed: Parsed,
): Reason | undefined {
  const grant = grantOf(principals, senderId);
  if (!grant) return notMapped(senderId);
  if (parsed.kind === 'submit' && !actsFor(grant, parsed.request.owner))
    return {
      path: 'owner',
      rule: 'auth.owner_not_allowed',
      message: `${named(senderId)} may not submit for owner ${parsed.request.owner}`,
    };
  return undefined;
}

/**
 * Why a cancel may not touch `existing`: its sender must act for the record's owner, or have
 * `cancelAny`, whatever the record's state. With nothing to touch (no record yet, or a tombstone)
 * any mapped sender may cancel; whether its tombstone holds a later submit is decided then
 * (tombstoneRefusal).
 */
export function cancelRefusal(
  principals: readonly Principal[],
  senderId: string | undefined,
  existing: JobRecord | undefined,
): Reason | undefined {
  const grant = grantOf(principals, senderId);
  if (!grant) return notMapped(senderId);
  if (!existing || isTombstone(existing) || grant.cancelAny || actsFor(grant, existing.owner))
    return undefined;
  return {
    path: 'jobId',
    rule: 'auth.cancel_not_allowed',
    message: `${named(senderId)} may not cancel job ${existing.jobId} of owner ${existing.owner}`,
  };
}

/**
 * Why a tombstone does not hold a submit for `owner`: the cancel that wrote it came from a sender
 * that could not have cancelled that owner's job. The submit is then refused as a jobId conflict
 * (the tombstone keeps the key), with this reason, never silently taken for cancelled.
 */
export function tombstoneRefusal(
  principals: readonly Principal[],
  tombstone: JobRecord,
  owner: string,
): Reason | undefined {
  const senderId = tombstone.cancellation?.senderId;
  const grant = grantOf(principals, senderId);
  if (grant && (grant.cancelAny || actsFor(grant, owner))) return undefined;
  return {
    path: 'jobId',
    rule: 'auth.cancel_not_allowed',
    message: `the cancel holding jobId ${tombstone.jobId} came from ${named(senderId)}, which may not cancel jobs of owner ${owner}`,
  };
}
