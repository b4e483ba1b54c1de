import { createHash } from 'node:crypto';

/**
 * The Kubernetes Job name for a jobId: a sanitised, readable prefix plus a hash of the raw jobId,
 * so that two ids that sanitise alike never share a name. At most 52 characters, a DNS-1123
 * label, leaving room for the `-<index>` an Indexed job appends to pod host names (<= 63).
 */
export const JOB_NAME_MAX = 52;
const HASH_LENGTH = 12;

export function jobName(jobId: string): string {
  const hash = createHash('sha256').update(jobId, 'utf8').digest('hex').slice(0, HASH_LENGTH);
  const prefix = jobId
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, JOB_NAME_MAX - HASH_LENGTH - 1)
    .replace(/^-+|-+$/g, '');
  return prefix ? `${prefix}-${hash}` : `job-${hash}`;
}

/** A value that is a valid label value (<= 63, alphanumerics at both ends, `-_.` inside). */
export function labelValue(value: string): string {
  return value
    .replace(/[^A-Za-z0-9_.-]+/g, '_')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}
