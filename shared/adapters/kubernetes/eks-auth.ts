/**
 * Authentication to an EKS cluster from a Lambda function: the cluster's endpoint and CA
 * from DescribeCluster, and the bearer token that the EKS authenticator accepts: a
 * presigned STS GetCallerIdentity URL with the cluster's name in a signed header.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { DescribeClusterCommand, type EKSClient } from '@aws-sdk/client-eks';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/** Static credentials or a provider of them, as the signer takes them. */
export type AwsCredentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];

export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
/** The header the authenticator compares with its cluster id; it must be signed. */
export const CLUSTER_ID_HEADER = 'x-k8s-aws-id';
/** STS honours a presigned GetCallerIdentity URL for 15 minutes after its X-Amz-Date. */
export const TOKEN_VALIDITY_MS = 15 * 60_000;
/**
 * A cached token is replaced once it is this old, well inside the 14 minutes that
 * aws-iam-authenticator gives a token, so clock skew and a slow request still leave margin.
 */
export const TOKEN_RENEW_AFTER_MS = 10 * 60_000;
/** Ignored by STS (see TOKEN_VALIDITY_MS); 60 is what every EKS client sends. */
const PRESIGN_EXPIRES_SECONDS = 60;

/** The regional STS endpoint: the authenticator accepts `sts[.region].amazonaws.com[.cn]`. */
export function stsHostname(region: string): string {
  return `sts.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

export interface EksTokenInput {
  clusterName: string;
  region: string;
  credentials: AwsCredentials;
  signingDate: Date;
}

/** `k8s-aws-v1.` + base64url (no padding) of the presigned GetCallerIdentity URL. */
export async function presignEksToken(input: EksTokenInput): Promise<string> {
  const hostname = stsHostname(input.region);
  const signer = new SignatureV4({
    credentials: input.credentials,
    region: input.region,
    service: 'sts',
    sha256: Sha256,
  });
  const request = new HttpRequest({
    method: 'GET',
    protocol: 'https:',
    hostname,
    path: '/',
    // Not an x-amz-* header, so the presigner keeps it a header and signs it.
    headers: { host: hostname, [CLUSTER_ID_HEADER]: input.clusterName },
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
  });
  const signed = await signer.presign(request, {
    expiresIn: PRESIGN_EXPIRES_SECONDS,
    signingDate: input.signingDate,
  });
  const query = Object.entries(signed.query ?? {})
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`)
    .join('&');
  return EKS_TOKEN_PREFIX + Buffer.from(`https://${hostname}/?${query}`).toString('base64url');
}

export interface EksTokenSource {
  /** A valid token: the cached one while it is young enough, else a fresh one. */
  token(): Promise<string>;
}

export function createEksTokenSource(options: {
  clusterName: string;
  region: string;
  credentials: AwsCredentials;
  now?: () => Date;
}): EksTokenSource {
  const now = options.now ?? (() => new Date());
  let cached: { token: string; issuedAt: number } | undefined;
  return {
    async token() {
      const signingDate = now();
      if (cached && signingDate.getTime() - cached.issuedAt < TOKEN_RENEW_AFTER_MS) return cached.token;
      const token = await presignEksToken({ ...options, signingDate });
      cached = { token, issuedAt: signingDate.getTime() };
      return token;
    },
  };
}

export interface ClusterConnection {
  endpoint: string;
  /** Base64 PEM, as a kubeconfig's certificate-authority-data. */
  certificateAuthorityData: string;
}

type EksDescribeClient = Pick<EKSClient, 'send'>;

/** Per container: the endpoint and CA do not change while a function instance lives. */
const connections = new Map<string, Promise<ClusterConnection>>();

/** DescribeCluster once per cluster and container; a failed call is retried next time. */
export function describeCluster(eks: EksDescribeClient, clusterName: string): Promise<ClusterConnection> {
  let connection = connections.get(clusterName);
  if (!connection) {
    connection = fetchConnection(eks, clusterName);
    connections.set(clusterName, connection);
    connection.catch(() => connections.delete(clusterName));
  }
  return connection;
}

async function fetchConnection(eks: EksDescribeClient, clusterName: string): Promise<ClusterConnection> {
  const { cluster } = await eks.send(new DescribeClusterCommand({ name: clusterName }));
  const endpoint = cluster?.endpoint;
  const certificateAuthorityData = cluster?.certificateAuthority?.data;
  if (!endpoint || !certificateAuthorityData) {
    throw new Error(`EKS cluster ${clusterName} has no endpoint or CA yet (status ${cluster?.status})`);
  }
  return { endpoint, certificateAuthorityData };
}
