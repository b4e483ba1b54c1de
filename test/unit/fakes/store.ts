import { indexItem, jobsIndex } from '../../../shared/adapters/dynamodb/index-item.ts';
import { ACTIVE_ATTRIBUTES, QUEUE_ATTRIBUTES } from '../../../shared/adapters/dynamodb/job-queries.ts';
import { ZERO_USAGE } from '../../../shared/core/admission/quota.ts';
import {
  type Limits,
  releasesCharge,
  type Scope,
  USAGE_DIMENSIONS,
  type Usage,
} from '../../../shared/core/admission/types.ts';
import { changeEvent, type StateChangeEvent } from '../../../shared/core/job/events.ts';
import type { JobRecord } from '../../../shared/core/job/record.ts';
import { RESYNC_STATES } from '../../../shared/core/job/state.ts';
import type {
  ActiveEntry,
  AdmissionStore,
  Admitted,
  Created,
  JobReader,
  JobStore,
  QueueEntry,
} from '../../../shared/core/ports.ts';

/**
 * What a Query of the status index gives of a record: only what the index projects
 * (shared/resources.ts), kept to what the adapter's reader keeps.
 */
function fromStatusIndex<T>(record: JobRecord, attributes: readonly string[]): T {
  const item = (indexItem(record, jobsIndex('byStatus')) ?? {}) as Record<string, unknown>;
  return structuredClone(
    Object.fromEntries(attributes.filter((a) => item[a] !== undefined).map((a) => [a, item[a]])),
  ) as T;
}

/**
 * The JobStore and JobReader ports in memory, with the DynamoDB adapters' conditional semantics,
 * and the table's stream: every write that took effect, before and after.
 */
export class MemoryStore implements JobStore, JobReader, AdmissionStore {
  items = new Map<string, JobRecord>();
  /** The usage counters (DynamoDbAdmissionStore keeps them as items beside the records). */
  counts = new Map<Scope, Usage>();
  readonly stream: { before?: JobRecord; after: JobRecord }[] = [];
  /** Reader calls, as DynamoDbJobQueries counts them. */
  readonly counters = { calls: 0 };
  /** Writes that took effect. */
  writes = 0;
  /** Consistent reads by a writer (JobStore.get). */
  reads = 0;
  statesCalls = 0;
  /** createAll calls: a batch's creates made as one. */
  createAllCalls = 0;
  /** The error DynamoDB fails a createAll's record with, if any. */
  failCreateAll?: (record: JobRecord) => Error | undefined;
  /** Called before a replace is applied: lets a test play a concurrent writer. */
  beforeReplace?: (next: JobRecord) => void;

  async create(record: JobRecord): Promise<Created> {
    await Promise.resolve();
    const existing = this.items.get(record.jobId);
    if (existing) return { created: false, existing: structuredClone(existing) };
    this.writes++;
    this.items.set(record.jobId, structuredClone(record));
    this.stream.push({ after: structuredClone(record) });
    return { created: true };
  }

  /**
   * As DynamoDbJobStore answers it: each record as a create would be, in order (the first of two
   * with one jobId is written, the second finds it). `failCreateAll` plays DynamoDB failing the
   * records it names (a throttled transaction whose retries were spent): those fail alone.
   */
  async createAll(records: readonly JobRecord[]): Promise<PromiseSettledResult<Created>[]> {
    this.createAllCalls++;
    const results: PromiseSettledResult<Created>[] = [];
    for (const record of records) {
      const failure = this.failCreateAll?.(record);
      if (failure) results.push({ status: 'rejected', reason: failure });
      else results.push({ status: 'fulfilled', value: await this.create(record) });
    }
    return results;
  }

  async get(jobId: string): Promise<JobRecord | undefined> {
    await Promise.resolve();
    this.reads++;
    const item = this.items.get(jobId);
    return item ? structuredClone(item) : undefined;
  }

  async replace(next: JobRecord): Promise<boolean> {
    await Promise.resolve();
    this.beforeReplace?.(next);
    const current = this.items.get(next.jobId);
    if (!current || current.version !== next.version - 1) return false;
    this.writes++;
    if (releasesCharge(next)) this.addCharge(next, -1);
    this.items.set(next.jobId, structuredClone(next));
    this.stream.push({ before: structuredClone(current), after: structuredClone(next) });
    return true;
  }

  /** The record's put and its counters' adds, all or nothing, as the DynamoDB transaction. */
  admit(next: JobRecord, limits: ReadonlyMap<Scope, Limits>): Promise<Admitted> {
    return this.admitAll([next], limits);
  }

  async admitAll(nexts: readonly JobRecord[], limits: ReadonlyMap<Scope, Limits>): Promise<Admitted> {
    await Promise.resolve();
    const currents = nexts.map((next) => this.items.get(next.jobId));
    if (nexts.some((next, i) => currents[i]?.version !== next.version - 1)) return 'raced';
    const after = new Map(this.counts);
    for (const next of nexts) {
      const { charge, scopes } = next.admission as NonNullable<JobRecord['admission']>;
      for (const scope of scopes) {
        const used = { ...(after.get(scope) ?? ZERO_USAGE) };
        for (const d of USAGE_DIMENSIONS) used[d] += charge[d];
        const limit = limits.get(scope) ?? {};
        if (USAGE_DIMENSIONS.some((d) => limit[d] !== undefined && used[d] > (limit[d] as number)))
          return 'full';
        after.set(scope, used);
      }
    }
    this.counts = after;
    nexts.forEach((next, i) => {
      this.writes++;
      this.items.set(next.jobId, structuredClone(next));
      this.stream.push({ before: structuredClone(currents[i]), after: structuredClone(next) });
    });
    return 'admitted';
  }

  async usage(scopes: readonly Scope[]): Promise<Map<Scope, Usage>> {
    await Promise.resolve();
    return new Map(
      scopes.flatMap((s) => (this.counts.has(s) ? [[s, { ...(this.counts.get(s) as Usage) }] as const] : [])),
    );
  }

  private addCharge(record: JobRecord, sign: 1 | -1): void {
    const { charge, scopes } = record.admission as NonNullable<JobRecord['admission']>;
    for (const scope of scopes) {
      const used = { ...(this.counts.get(scope) ?? ZERO_USAGE) };
      for (const d of USAGE_DIMENSIONS) used[d] += sign * charge[d];
      this.counts.set(scope, used);
    }
  }

  async *scanQueue(): AsyncGenerator<QueueEntry> {
    this.counters.calls++;
    for (const r of [...this.items.values()])
      if (r.state === 'QUEUED') yield fromStatusIndex<QueueEntry>(r, QUEUE_ATTRIBUTES);
  }

  async *scanState(state: JobRecord['state']): AsyncGenerator<JobRecord> {
    this.counters.calls++;
    for (const r of [...this.items.values()]) if (r.state === state) yield structuredClone(r);
  }

  /** The events the publish function makes of the stream (functions/publish). */
  get events(): StateChangeEvent[] {
    return this.stream.flatMap((c) => changeEvent(c.before, c.after) ?? []);
  }

  async getJob(jobId: string): Promise<JobRecord | undefined> {
    this.counters.calls++;
    const r = this.items.get(jobId);
    return r && structuredClone(r);
  }

  async getJobs(jobIds: readonly string[]): Promise<Map<string, JobRecord>> {
    this.counters.calls += Math.ceil(jobIds.length / 100);
    const out = new Map<string, JobRecord>();
    for (const id of jobIds) {
      const r = this.items.get(id);
      if (r) out.set(id, structuredClone(r));
    }
    return out;
  }

  async getStates(jobIds: readonly string[]): Promise<Map<string, JobRecord['state']>> {
    await Promise.resolve();
    this.statesCalls++;
    const states = new Map<string, JobRecord['state']>();
    for (const id of jobIds) {
      const r = this.items.get(id);
      if (r) states.set(id, r.state);
    }
    return states;
  }

  /** As the adapter: entries of the status index, never the records. */
  async *scanActive(): AsyncGenerator<ActiveEntry> {
    this.counters.calls++;
    for (const r of [...this.items.values()]) {
      if ((RESYNC_STATES as readonly string[]).includes(r.state))
        yield fromStatusIndex<ActiveEntry>(r, ACTIVE_ATTRIBUTES);
    }
  }
}
