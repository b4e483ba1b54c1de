/**
 * The AWS resources' shapes, defined once: the CDK stacks and the local stack both build
 * the queue and the table from these, so that tests run against the schema that deploys.
 */
export interface KeyAttribute {
  name: string;
  type: 'S' | 'N';
}

export interface TableIndex {
  name: string;
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
}

export const JOBS_TABLE = {
  partitionKey: { name: 'jobId', type: 'S' } as KeyAttribute,
  /** Epoch seconds; DynamoDB TTL removes finished records after the retention. */
  ttlAttribute: 'expiresAt',
  indexes: [
    /** An owner's jobs, newest first (ScanIndexForward false). */
    {
      name: 'byOwner',
      partitionKey: { name: 'owner', type: 'S' },
      sortKey: { name: 'createdAt', type: 'S' },
    },
    /**
     * Jobs in a state, spread over STATUS_SHARDS partitions (`STATE#n`) so that a busy state
     * is no hot partition; readers query every shard and merge.
     */
    {
      name: 'byStatus',
      partitionKey: { name: 'statusShard', type: 'S' },
      sortKey: { name: 'updatedAt', type: 'S' },
    },
  ] as TableIndex[],
  statusShards: 8,
} as const;

export const JOBS_QUEUE = {
  /** Deliveries before a message moves to the DLQ. */
  maxReceiveCount: 5,
  /** At least 6x the submit function's timeout, as the Lambda SQS guidance asks. */
  visibilityTimeoutSeconds: 180,
  submitTimeoutSeconds: 30,
  retentionSeconds: 4 * 24 * 3600,
  dlqRetentionSeconds: 14 * 24 * 3600,
} as const;
