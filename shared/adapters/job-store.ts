import type { JobRecord } from '../core/job/record.ts';

/** The port the functions write job records through; DynamoDB is one adapter of it. */
export interface JobStore {
  /** Writes the record unless one with its jobId exists; then returns the existing one. */
  create(record: JobRecord): Promise<{ created: true } | { created: false; existing: JobRecord }>;
  get(jobId: string): Promise<JobRecord | undefined>;
  /**
   * Writes `next` only if the stored record's version is still `next.version - 1`, so that
   * concurrent writers never regress a record. False when another writer was first.
   */
  replace(next: JobRecord): Promise<boolean>;
}
