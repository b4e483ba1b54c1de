/**
 * Every cdk-nag finding this app acknowledges, each on the narrowest construct and with the
 * reason it is acceptable. cdk-nag 3 reads acknowledgements recorded with
 * `Validations.of(scope).acknowledge()`; an id must match a finding exactly.
 */
import { type CfnCondition, type CfnResource, Fn, Stack, Validations } from 'aws-cdk-lib';
import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import type { IConstruct } from 'constructs';
import type { JobRunner } from '../constructs/job-runner.ts';

const managedPolicy = (name: string) =>
  `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`;

function acknowledge(scope: IConstruct, ids: string[], reason: string): void {
  Validations.of(scope).acknowledge(...ids.map((id) => ({ id, reason })));
}

/** The runner's functions placed in a VPC. */
export function suppressVpcAccessPolicy(runner: JobRunner): void {
  for (const fn of [runner.submit, runner.reconcile]) {
    acknowledge(
      fn.role,
      [managedPolicy('service-role/AWSLambdaVPCAccessExecutionRole')],
      'Lambda creates and deletes the function ENIs in the given subnets with ec2:CreateNetworkInterface, ' +
        'DescribeNetworkInterfaces and DeleteNetworkInterface, which cannot be scoped to an interface that does ' +
        'not exist yet; this AWS-managed policy is exactly that set and AWS keeps it current.',
    );
  }
}

/** The example cluster: the roles and the kubectl provider that aws-eks-v2 creates for it. */
export function suppressExampleClusterFindings(cluster: eks.Cluster): void {
  acknowledge(
    cluster.role,
    [
      'AmazonEKSClusterPolicy',
      'AmazonEKSComputePolicy',
      'AmazonEKSBlockStoragePolicy',
      'AmazonEKSLoadBalancingPolicy',
      'AmazonEKSNetworkingPolicy',
    ].map(managedPolicy),
    'EKS Auto Mode requires exactly these AWS-managed policies on the cluster role, and AWS updates them ' +
      'when the Auto Mode controllers need new permissions.',
  );
  acknowledge(
    cluster.node.findChild('ClusternodePoolRole'),
    ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryReadOnly'].map(managedPolicy),
    'Auto Mode nodes need the AWS-managed worker-node policy to join the cluster and ECR read access to pull ' +
      'job images; these are the policies EKS documents for the node role.',
  );

  const kubectl = cluster.node.findChild('KubectlProvider');
  const handler = kubectl.node.findChild('Handler');
  const stack = Stack.of(cluster);
  const hasEcrPublic = handler.node.findChild('HasEcrPublic') as CfnCondition;
  const ecrPublicPolicy = stack.resolve(
    Fn.conditionIf(
      hasEcrPublic.logicalId,
      `arn:${stack.partition}:iam::aws:policy/AmazonElasticContainerRegistryPublicReadOnly`,
      Fn.ref('AWS::NoValue'),
    ),
  );
  acknowledge(
    kubectl,
    [
      managedPolicy('service-role/AWSLambdaBasicExecutionRole'),
      managedPolicy('service-role/AWSLambdaVPCAccessExecutionRole'),
      managedPolicy('AmazonEC2ContainerRegistryReadOnly'),
      `AwsSolutions-IAM4[Policy::${JSON.stringify(ecrPublicPolicy)}]`,
    ],
    "aws-eks-v2's kubectl provider (CDK-owned, only run by CloudFormation to apply the RBAC) attaches these " +
      'AWS-managed policies to its own roles: logs, ENIs in the private subnets, and pulling its layer images.',
  );
  acknowledge(
    kubectl,
    [`AwsSolutions-IAM5[Resource::<${stack.getLogicalId(handler.node.defaultChild as CfnResource)}.Arn>:*]`],
    'The custom-resource provider framework may invoke any version of the kubectl handler it fronts; the ' +
      'wildcard is the version suffix of that one function ARN.',
  );
  acknowledge(
    handler,
    ['AwsSolutions-L1'],
    'aws-cdk-lib picks the kubectl handler runtime (the newest Python it knows for the region) and offers ' +
      'no setting for it; it runs only during deployments.',
  );
}
