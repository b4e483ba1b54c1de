import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CallOptions } from '../../core/ports.ts';
import { awsCall, JOB_ID, JOB_IDS } from '../../runtime/tracing.ts';

/**
 * AWS SDK clients, built once per container. The SDK reads `AWS_ENDPOINT_URL` (the local
 * stack points it at moto) and the region from the environment by itself; `maxAttempts`
 * bounds the SDK's own retry of throttling and 5xx (standard mode, jittered backoff).
 */
export interface AwsClientOptions {
  region?: string;
  endpoint?: string;
  maxAttempts?: number;
  /** Milliseconds before a request with no response fails (and is retried by the SDK). */
  requestTimeoutMs?: number;
  /** Static credentials (the local stack's dummy ones); otherwise the SDK's default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

let documentClient: DynamoDBDocumentClient | undefined;

export function createDocumentClient(options: AwsClientOptions = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: options.region ?? process.env.AWS_REGION,
    endpoint: options.endpoint,
    credentials: options.credentials,
    maxAttempts: options.maxAttempts ?? 4,
    requestHandler: { requestTimeout: options.requestTimeoutMs ?? 5000, connectionTimeout: 2000 },
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
    unmarshallOptions: { wrapNumbers: false },
  });
}

/** The container's shared document client (created on first use). */
export function documentClientOnce(): DynamoDBDocumentClient {
  documentClient ??= createDocumentClient();
  return documentClient;
}

/** The SDK's abort signal for a call bounded by a deadline (and a caller's signal), if any. */
export function abortSignalOf(call: CallOptions = {}): { abortSignal?: AbortSignal } {
  const signals: AbortSignal[] = [];
  if (call.deadline !== undefined) signals.push(AbortSignal.timeout(Math.max(1, call.deadline - Date.now())));
  if (call.signal) signals.push(call.signal);
  return signals.length > 0 ? { abortSignal: AbortSignal.any(signals) } : {};
}

/**
 * One DynamoDB call in a span `dynamodb <operation>` on `table`, with the job it is about, or the
 * jobs of a transaction of several records (the SDK's retries of it are inside the span).
 */
export function dynamoCall<T>(
  operation: 'PutItem' | 'GetItem' | 'BatchGetItem' | 'Query' | 'TransactWriteItems',
  table: string,
  attributes: { jobId?: string; jobIds?: string[]; index?: string; keys?: number },
  send: () => Promise<T>,
): Promise<T> {
  return awsCall(
    'DynamoDB',
    operation,
    {
      'aws.dynamodb.table_names': [table],
      'aws.dynamodb.index_name': attributes.index,
      'db.operation.batch.size': attributes.keys,
      [JOB_ID]: attributes.jobId,
      [JOB_IDS]: attributes.jobIds,
    },
    send,
  );
}
