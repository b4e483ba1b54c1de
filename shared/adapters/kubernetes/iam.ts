import type { Grant } from '../action-table.ts';

/**
 * The AWS actions of the Kubernetes adapters, on the one cluster. Only `describeCluster`
 * (eks-auth.ts, called by createKubeConfig in config.ts with CLUSTER_ACCESS=eks) calls AWS.
 * The EKS token is a presigned sts:GetCallerIdentity, which needs no grant, and the
 * Kubernetes API calls are authorized by the RBAC of infra/k8s/rbac.yaml, not by IAM.
 */
export const KUBERNETES_ACTIONS = {
  EksAuth: {
    describeCluster: ['eks:DescribeCluster'],
  } satisfies Record<string, readonly Grant[]>,
};
