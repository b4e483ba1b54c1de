import type { CallOptions, JobReader, JobStore } from '../core/ports.ts';

/**
 * The store and reader ports with every call bound by an invocation's deadline, so that no
 * DynamoDB call outlives it (a call cut short is a transient fault, left for the next attempt).
 */
export function storeUntil(store: JobStore, call: CallOptions): JobStore {
  return {
    create: (record) => store.create(record, call),
    createAll: (records) => store.createAll(records, call),
    get: (jobId) => store.get(jobId, call),
    replace: (next) => store.replace(next, call),
  };
}

export type ReconcileReader = Pick<JobReader, 'getJob' | 'getJobs' | 'scanActive' | 'counters'>;

export function readerUntil(reader: ReconcileReader, call: CallOptions): ReconcileReader {
  return {
    getJob: (jobId) => reader.getJob(jobId, call),
    getJobs: (jobIds) => reader.getJobs(jobIds, call),
    scanActive: () => reader.scanActive(call),
    get counters() {
      return reader.counters;
    },
  };
}
