/**
 * Client settings for the local stack's moto: its endpoint, a region, and dummy credentials,
 * so that a developer's real AWS credentials are never picked up and sent anywhere.
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

/** From AWS_ENDPOINT_URL and AWS_REGION, as the provisioning script is called. */
export function localAwsConfigFromEnv(env: NodeJS.ProcessEnv = process.env): LocalAwsConfig {
  const endpoint = env.AWS_ENDPOINT_URL;
  if (!endpoint) throw new Error('AWS_ENDPOINT_URL is not set: point it at the local moto server');
  return localAwsConfig(endpoint, env.AWS_REGION ?? 'us-east-1');
}
