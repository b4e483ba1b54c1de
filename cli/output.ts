// What ejr prints: pure functions from values to text, so that every format is unit-tested.
// Tables and summaries are for people; `--output json` prints the values themselves, for scripts.
import type { JobRecord, Reason } from '../shared/core/job/record.ts';

export const OUTPUT_FORMATS = ['table', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** Columns padded to their widest cell; the last column is not padded. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[headers, ...rows].map(line).join('\n')}\n`;
}

/** `2026-11-22T10:00:01.123Z` -> `2026-11-22 10:00:01Z`; empty when absent. */
export function time(iso: string | undefined): string {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '';
}

/** Seconds as `42s`, `3m07s`, `2h05m`. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function jobsTable(records: readonly JobRecord[]): string {
  if (records.length === 0) return 'no jobs\n';
  return table(
    ['JOB ID', 'OWNER', 'STATE', 'REASON', 'CREATED', 'UPDATED'],
    records.map((r) => [r.jobId, r.owner, r.state, r.reason ?? '', time(r.createdAt), time(r.updatedAt)]),
  );
}

/** Queued jobs: their place in their owner's queue, how long they have waited, and why. */
export function queueTable(
  records: readonly JobRecord[],
  positions: Record<string, number>,
  now: string,
): string {
  if (records.length === 0) return 'no queued jobs\n';
  return table(
    ['JOB ID', 'OWNER', 'POSITION', 'WAITING', 'REASON', 'MESSAGE'],
    records.map((r) => [
      r.jobId,
      r.owner,
      String(positions[r.jobId] ?? '-'),
      duration((Date.parse(now) - Date.parse(r.admission?.queuedAt ?? r.createdAt)) / 1000),
      r.reason ?? '',
      r.message ?? '',
    ]),
  );
}

/** `path: message (rule)`, one a line; an empty path is the whole body. */
export function reasonLines(reasons: readonly Reason[]): string[] {
  return reasons.map((r) => `${r.path || '(body)'}: ${r.message} (${r.rule})`);
}

/** One job, as `ejr get` prints it. */
export function jobSummary(r: JobRecord): string {
  const rows: [string, string | undefined][] = [
    ['job id', r.jobId],
    ['owner', r.owner],
    ['state', r.reason ? `${r.state} (${r.reason})` : r.state],
    ['message', r.message],
    ['kubernetes', r.jobName && `job/${r.jobName} in ${r.namespace ?? '?'}`],
    ['created', time(r.createdAt)],
    ['updated', time(r.updatedAt)],
    [
      'pending',
      r.pending && `${r.pending.reason} since ${time(r.pending.since)}: ${r.pending.message ?? ''}`,
    ],
    [
      'cancelled',
      r.cancellation &&
        `by ${r.cancellation.by} at ${time(r.cancellation.at)}: ${r.cancellation.reason ?? ''}`,
    ],
    [
      'result',
      r.result &&
        `${r.result.succeeded} succeeded, ${r.result.failed} failed, ${r.result.attempts} attempt(s)` +
          (r.result.durationSeconds === undefined ? '' : `, ${duration(r.result.durationSeconds)}`),
    ],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  let out = rows
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${(v as string).trimEnd()}`)
    .join('\n');
  out += '\n';
  if (r.reasons?.length)
    out += `reasons:\n${reasonLines(r.reasons)
      .map((l) => `  ${l}\n`)
      .join('')}`;
  const pods = r.result?.pods ?? [];
  if (pods.length > 0) {
    out += `pods:\n${indent(
      table(
        ['POD', 'EXIT', 'REASON', 'STARTED', 'FINISHED'],
        pods.map((p) => [
          p.podName,
          p.exitCode?.toString() ?? '',
          p.reason ?? '',
          time(p.startedAt),
          time(p.finishedAt),
        ]),
      ),
    )}`;
  }
  if (r.history.length > 0) {
    out += `history:\n${indent(
      table(
        ['AT', 'STATE', 'REASON'],
        r.history.map((t) => [time(t.at), t.state, t.reason ?? '']),
      ),
    )}`;
  }
  return out;
}

const indent = (text: string): string =>
  text
    .split('\n')
    .map((l) => (l ? `  ${l}` : l))
    .join('\n');

/** The recorded log tails, one block per pod (a header when there are several, as tail(1) does). */
export function logTails(r: JobRecord): string {
  const pods = (r.result?.pods ?? []).filter((p) => p.logTail !== undefined);
  return pods
    .map((p) => {
      const text = p.logTail?.endsWith('\n') || !p.logTail ? (p.logTail ?? '') : `${p.logTail}\n`;
      if (pods.length === 1) return text;
      const exit = p.exitCode === undefined ? '' : ` (exit ${p.exitCode})`;
      return `==> ${p.podName}${exit} <==\n${text}`;
    })
    .join('\n');
}

/** The line `wait` keeps on stderr: where the job is, and for how long it has been waited for. */
export function progressLine(jobId: string, record: JobRecord | undefined, elapsedMs: number): string {
  const state = record ? record.state : 'not recorded yet (queued?)';
  const why = record?.pending ? ` ${record.pending.reason}` : record?.reason ? ` ${record.reason}` : '';
  return `${jobId}: ${state}${why} (${duration(elapsedMs / 1000)})`;
}

/** A message on the DLQ, as `dlq list` shows it. */
export interface PeekedMessage {
  messageId: string;
  sentAt?: string;
  receiveCount?: number;
  jobId?: string;
  owner?: string;
  action?: string;
  body: string;
}

export function dlqTable(messages: readonly PeekedMessage[]): string {
  if (messages.length === 0) return 'the dead-letter queue is empty\n';
  return table(
    ['MESSAGE ID', 'SENT', 'RECEIVES', 'ACTION', 'JOB ID', 'OWNER', 'BYTES'],
    messages.map((m) => [
      m.messageId,
      time(m.sentAt),
      m.receiveCount?.toString() ?? '',
      m.action ?? '',
      m.jobId ?? '',
      m.owner ?? '',
      String(Buffer.byteLength(m.body, 'utf8')),
    ]),
  );
}
