/**
 * The functions' Kubernetes client configuration. One setting chooses how they reach the
 * cluster: CLUSTER_ACCESS=eks (on AWS: DescribeCluster plus a renewed EKS token) or
 * CLUSTER_ACCESS=kubeconfig (anywhere else, the default: the file in KUBECONFIG, else the
 * usual default locations).
 */
import { EKSClient } from '@aws-sdk/client-eks';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { KubeConfig } from './client-node.ts';
import {
  type AwsCredentials,
  type ClusterConnection,
  createEksTokenSource,
  describeCluster,
  type EksTokenSource,
} from './eks-auth.ts';

export const CLUSTER_ACCESS_MODES = ['eks', 'kubeconfig'] as const;
export type ClusterAccess = (typeof CLUSTER_ACCESS_MODES)[number];

/** The auth-provider name that marks the kubeconfig user whose token the EKS source supplies. */
const EKS_AUTH_PROVIDER = 'eks-job-runner-eks-token';
const EKS_USER = 'eks-job-runner';

type Authenticator = Parameters<KubeConfig['addAuthenticator']>[0];

/** Seams for tests; in a function every one is the real AWS client. */
export interface KubeConfigDeps {
  describe?: (clusterName: string) => Promise<ClusterConnection>;
  credentials?: AwsCredentials;
  now?: () => Date;
}

export function clusterAccess(env: NodeJS.ProcessEnv): ClusterAccess {
  const mode = env.CLUSTER_ACCESS || 'kubeconfig';
  if (!(CLUSTER_ACCESS_MODES as readonly string[]).includes(mode)) {
    throw new Error(`CLUSTER_ACCESS must be one of ${CLUSTER_ACCESS_MODES.join(', ')}, not "${mode}"`);
  }
  return mode as ClusterAccess;
}

/** Build once per container: the EKS token inside renews itself on use. */
export async function createKubeConfig(
  env: NodeJS.ProcessEnv = process.env,
  deps: KubeConfigDeps = {},
): Promise<KubeConfig> {
  return clusterAccess(env) === 'eks' ? eksKubeConfig(env, deps) : fileKubeConfig(env);
}

function fileKubeConfig(env: NodeJS.ProcessEnv): KubeConfig {
  const kc = new KubeConfig();
  if (env.KUBECONFIG) kc.loadFromFile(env.KUBECONFIG);
  else kc.loadFromDefault();
  return kc;
}

async function eksKubeConfig(env: NodeJS.ProcessEnv, deps: KubeConfigDeps): Promise<KubeConfig> {
  const clusterName = env.EKS_CLUSTER_NAME;
  const region = env.AWS_REGION;
  if (!clusterName) throw new Error('CLUSTER_ACCESS=eks needs EKS_CLUSTER_NAME');
  if (!region) throw new Error('CLUSTER_ACCESS=eks needs AWS_REGION');
  const describe = deps.describe ?? ((name: string) => describeCluster(new EKSClient({ region }), name));
  const { endpoint, certificateAuthorityData } = await describe(clusterName);
  const tokens = createEksTokenSource({
    clusterName,
    region,
    credentials: deps.credentials ?? fromNodeProviderChain(),
    now: deps.now,
  });

  const kc = new KubeConfig();
  kc.addAuthenticator(eksTokenAuthenticator(tokens));
  kc.loadFromOptions({
    clusters: [
      { name: clusterName, server: endpoint, caData: certificateAuthorityData, skipTLSVerify: false },
    ],
    users: [{ name: EKS_USER, authProvider: { name: EKS_AUTH_PROVIDER, config: {} } }],
    contexts: [{ name: clusterName, cluster: clusterName, user: EKS_USER }],
    currentContext: clusterName,
  });
  return kc;
}

/**
 * client-node asks its authenticators for headers on every request and watch, so the token
 * is fetched per request from the source, which hands out the cached one until renewal.
 */
function eksTokenAuthenticator(tokens: EksTokenSource): Authenticator {
  return {
    isAuthProvider: (user) => user.authProvider?.name === EKS_AUTH_PROVIDER,
    async applyAuthentication(_user, opts) {
      const token = await tokens.token();
      opts.headers = { ...opts.headers, Authorization: `Bearer ${token}` };
    },
  };
}
