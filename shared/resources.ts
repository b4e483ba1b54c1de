/**
 * The AWS resources' shapes, defined once: the CDK stacks and the local stack both build
 * the queue and the table from these, so that tests run against the schema that deploys.
 */
export interface KeyAttribute {
  name: string;
  type: 'S' | 'N';
}

/**
 * What an index holds besides its keys and the table's key: nothing (`KEYS_ONLY`), or the listed
 * attributes (`INCLUDE`). A Query is billed by the index items it reads, and every write that changes
 * a projected attribute rewrites the index item, so an index holds only what its readers need; a
 * reader that needs the whole record reads it by key (docs/queries.md).
 */
export type IndexProjection = { type: 'KEYS_ONLY' } | { type: 'INCLUDE'; attributes: readonly string[] };

export interface TableIndex {
  name: string;
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
  projection: IndexProjection;
}

/**
 * The attributes the status index holds besides its keys (jobId, statusShard, updatedAt): what
 * admission orders the queue by (QUEUE_ATTRIBUTES) and what the resync tells a quiet Job by
 * (ACTIVE_ATTRIBUTES), both in shared/adapters/dynamodb/job-queries.ts, which checks they are here.
 */
export const STATUS_INDEX_ATTRIBUTES = [
  'owner',
  'namespace',
  'jobName',
  'state',
  'version',
  'reason',
  'message',
  'createdAt',
  'admission',
  'suspension',
  'observed',
] as const;

export const JOBS_TABLE = {
  partitionKey: { name: 'jobId', type: 'S' } as KeyAttribute,
  /** Epoch seconds; DynamoDB TTL removes finished records after the retention. */
  ttlAttribute: 'expiresAt',
  /** Every write, before and after: the publish function makes the events from it. */
  streamViewType: 'NEW_AND_OLD_IMAGES',
  indexes: [
    /**
     * An owner's jobs, newest first (ScanIndexForward false). Keys only: its keys never change, so
     * DynamoDB writes it once per job (at the create), not on every state change; a listing reads
     * the records of its page by key.
     */
    {
      name: 'byOwner',
      partitionKey: { name: 'owner', type: 'S' },
      sortKey: { name: 'createdAt', type: 'S' },
      projection: { type: 'KEYS_ONLY' },
    },
    /**
     * Jobs in a state, spread over STATUS_SHARDS partitions (`STATE#n`) so that a busy state
     * is no hot partition; readers query every shard and merge. A few hundred bytes an item
     * (STATUS_INDEX_ATTRIBUTES), not the record: the resync reads the active set every minute.
     */
    {
      name: 'byStatus',
      partitionKey: { name: 'statusShard', type: 'S' },
      sortKey: { name: 'updatedAt', type: 'S' },
      projection: { type: 'INCLUDE', attributes: STATUS_INDEX_ATTRIBUTES },
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

/**
 * A record must outlive every delivery of its request, a DLQ redrive's included: were it to
 * expire first, a late delivery would find no record and create the Job again (or, for a cancel
 * tombstone, let its submit through). So no record retention may be shorter than this.
 */
export const MIN_RECORD_RETENTION_SECONDS = JOBS_QUEUE.retentionSeconds + JOBS_QUEUE.dlqRetentionSeconds;

/**
 * The functions' names and timings, defined once: CDK deploys them, the local runtime runs them
 * and the handlers read them (docs/deploy.md, "Settings").
 */
export const FUNCTIONS = {
  /** POWERTOOLS_METRICS_NAMESPACE of the functions; the alarms on custom metrics read it. */
  metricsNamespace: 'EksJobRunner',
  submit: {
    /** POWERTOOLS_SERVICE_NAME: the `service` of log lines and the metrics' dimension. */
    serviceName: 'submit',
    timeoutSeconds: JOBS_QUEUE.submitTimeoutSeconds,
    memoryMb: 512,
    /** Time kept back from the invocation's remaining time to answer the batch. */
    answerReserveMs: 3000,
  },
  reconcile: {
    serviceName: 'reconcile',
    /**
     * How long one invocation watches at most (RECONCILE_WINDOW_SECONDS). The handler ends it
     * `handoffSeconds` before the next firing, so the two invocations leave no gap to speak of.
     */
    windowSeconds: 58,
    /** How long before the schedule's next firing an invocation ends its window. */
    handoffSeconds: 2,
    /** The shortest window CDK deploys; the handler also takes 0 (one resync, no watch). */
    minWindowSeconds: 10,
    maxWindowSeconds: 840,
    /** The timeout is the window plus this: the handler cuts its window to finish in time. */
    flushSeconds: 30,
    /** Kept back from the remaining time when the window is cut. */
    finishReserveSeconds: 15,
    /** The schedule's rate; a tick older than this is dropped, not retried. */
    scheduleSeconds: 60,
    memoryMb: 512,
    /** One reconciler at a time: two would race each other's conditional writes for nothing. */
    reservedConcurrency: 1,
  },
  /** The jobs table's stream -> "Job State Change" events (docs/events.md). */
  publish: {
    serviceName: 'publish',
    timeoutSeconds: 30,
    memoryMb: 256,
    /** Kept back from the invocation's remaining time to answer the batch. */
    answerReserveMs: 2000,
    /** Stream records per invocation (one record is one write; a few of them deserve an event). */
    batchSize: 100,
    /**
     * A record still unpublished this long after its write goes to the function's failure queue
     * instead (its position, not its content), leaving the rest of the stream's 24 h to replay it.
     */
    maxRecordAgeHours: 12,
  },
} as const;
