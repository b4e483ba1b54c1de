import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

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
}

let documentClient: DynamoDBDocumentClient | undefined;

export function createDocumentClient(options: AwsClientOptions = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: options.region ?? process.env.AWS_REGION,
    endpoint: options.endpoint,
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
