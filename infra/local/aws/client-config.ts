/**
 * Client settings for the local stack's servers (moto, and ElasticMQ for SQS): an endpoint, a
 * region, and dummy credentials, so that a developer's real AWS credentials are never picked up
 * and sent anywhere.
 */
export interface LocalAwsConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export const DUMMY_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

export function localAwsConfig(endpoint: string, region: string, accessKeyId?: string): LocalAwsConfig {
  return { endpoint, region, credentials: { ...DUMMY_CREDENTIALS, ...(accessKeyId && { accessKeyId }) } };
}

/**
 * The dummy access key id a function signs with locally, and its event source with it (in AWS
 * both use the function's role): a recording proxy tells the functions' calls apart by it.
 */
export const functionAccessKeyId = (functionName: string): string => `local-${functionName}`;

/**
 * From AWS_ENDPOINT_URL (moto), AWS_ENDPOINT_URL_SQS (ElasticMQ; moto's when unset: the SDK's
 * own rule for a service's endpoint) and AWS_REGION, as the provisioning script is called.
 */
export function localAwsConfigFromEnv(env: NodeJS.ProcessEnv = process.env): {
  aws: LocalAwsConfig;
  sqs: LocalAwsConfig;
} {
  const endpoint = env.AWS_ENDPOINT_URL;
  if (!endpoint) throw new Error('AWS_ENDPOINT_URL is not set: point it at the local moto server');
  const region = env.AWS_REGION ?? 'us-east-1';
  return {
    aws: localAwsConfig(endpoint, region),
    sqs: localAwsConfig(env.AWS_ENDPOINT_URL_SQS || endpoint, region),
  };
}
