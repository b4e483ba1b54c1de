import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { addUsage, ZERO_USAGE } from '../../core/admission/quota.ts';
import type { Limits, Scope, Usage } from '../../core/admission/types.ts';
import type { JobRecord } from '../../core/job/record.ts';
import type { AdmissionStore, Admitted, CallOptions } from '../../core/ports.ts';
import { batchGetJobs } from './batch-get.ts';
import { stamped } from './job-store.ts';
import { putAllWithCounters } from './transact.ts';
import { scopeOfKey, type UsageItem, usageKey, usageUpdate } from './usage-items.ts';

/**
 * The AdmissionStore port on DynamoDB: an admission is one TransactWriteItems of the record's move
 * to PENDING (conditional on its version) and an ADD to each of its usage counters (conditional on
 * the counter staying within its quota). Overlapping admitters can both plan the last free slot;
 * only one transaction applies, so no quota is ever exceeded.
 */
export class DynamoDbAdmissionStore implements AdmissionStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.client = client;
    this.tableName = tableName;
  }

  admit(next: JobRecord, limits: ReadonlyMap<Scope, Limits>, call?: CallOptions): Promise<Admitted> {
    return this.admitAll([next], limits, call);
  }

  /** Several admissions in one transaction: each scope's counter takes the sum of their charges. */
  async admitAll(
    nexts: readonly JobRecord[],
    limits: ReadonlyMap<Scope, Limits>,
    call?: CallOptions,
  ): Promise<Admitted> {
    const items = nexts.map(stamped);
    const sums = new Map<Scope, Usage>();
    for (const item of items) {
      const { charge, scopes } = item.admission as NonNullable<JobRecord['admission']>;
      for (const scope of scopes) sums.set(scope, addUsage(sums.get(scope) ?? ZERO_USAGE, charge));
    }
    const updates = [...sums].map(([scope, sum]) =>
      usageUpdate(this.tableName, scope, sum, 1, limits.get(scope) ?? {}),
    );
    const cancelled = await putAllWithCounters(this.client, this.tableName, items, updates, call);
    if (cancelled === undefined) return 'admitted';
    return cancelled === 'limit' ? 'full' : 'raced';
  }

  async usage(
    scopes: readonly Scope[],
    call?: CallOptions,
  ): Promise<Map<Scope, Usage & { limits?: Limits }>> {
    const items = await batchGetJobs<UsageItem>(this.client, this.tableName, scopes.map(usageKey), { call });
    const out = new Map<Scope, Usage & { limits?: Limits }>();
    for (const item of items) {
      const scope = scopeOfKey(item.jobId);
      if (scope) out.set(scope, { ...ZERO_USAGE, ...withoutKey(item) });
    }
    return out;
  }
}

function withoutKey({ jobId: _, ...usage }: UsageItem): Usage & { limits?: Limits } {
  return usage;
}
