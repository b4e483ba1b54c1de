import { CfnOutput } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import type * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import { KubernetesManifest } from 'aws-cdk-lib/aws-eks-v2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  type KubernetesObject,
  kubectlApplyCommand,
  type RunnerFunction,
  rbacManifests,
  runnerGroup,
} from './cluster-rbac.ts';

export interface ClusterAccessProps {
  clusterName: string;
  /** The functions' roles; each gets an access entry into its own RoleBinding's group. */
  principals: Record<RunnerFunction, iam.IRole>;
  namespaces: string[];
  /**
   * A cluster this app manages: the RBAC (and the namespaces) are applied to it. Without
   * one, the stack outputs the kubectl command that applies the RBAC.
   */
  managedCluster?: eksv2.ICluster;
}

/**
 * What lets the functions into the cluster: an EKS access entry per function role, into that
 * function's group (the cluster must use the API or API_AND_CONFIG_MAP authentication mode),
 * and the namespaced Roles and RoleBindings of infra/k8s/rbac.yaml; nothing cluster-wide.
 */
export class ClusterAccess extends Construct {
  constructor(scope: Construct, id: string, props: ClusterAccessProps) {
    super(scope, id);
    (Object.entries(props.principals) as [RunnerFunction, iam.IRole][]).forEach(([fn, role], index) => {
      new eks.CfnAccessEntry(this, `AccessEntry${index}`, {
        clusterName: props.clusterName,
        principalArn: role.roleArn,
        kubernetesGroups: [runnerGroup(fn)],
        type: 'STANDARD',
      });
    });

    if (props.managedCluster) {
      for (const namespace of props.namespaces) {
        new KubernetesManifest(this, `Rbac-${namespace}`, {
          cluster: props.managedCluster,
          // One apply per namespace, the namespace first, so the Role has somewhere to live.
          manifest: [jobsNamespace(namespace), ...rbacManifests(namespace)],
        });
      }
    } else {
      new CfnOutput(this, 'ApplyRbacCommand', {
        description: 'Run from the repository root with a kubeconfig for the cluster (admin)',
        value: kubectlApplyCommand(props.namespaces),
      }).overrideLogicalId('ApplyRbacCommand');
    }
  }
}

/** A jobs namespace that enforces the Pod Security `restricted` profile the runner's pods meet. */
function jobsNamespace(name: string): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: {
        'app.kubernetes.io/name': 'eks-job-runner',
        'pod-security.kubernetes.io/enforce': 'restricted',
      },
    },
  };
}
