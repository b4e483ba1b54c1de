import { Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import { JobRunner, type JobRunnerProps } from '../constructs/job-runner.ts';
import type { VpcPlacement } from '../constructs/runner-function.ts';
import { suppressVpcAccessPolicy } from './nag-suppressions.ts';

/** Subnets (and optionally security groups) of an existing VPC, by id: no lookups at synth. */
export interface VpcPlacementIds {
  vpcId: string;
  subnetIds: string[];
  /** Default: a security group per function that allows all egress and no ingress. */
  securityGroupIds?: string[];
}

export interface JobRunnerStackProps
  extends StackProps,
    Omit<JobRunnerProps, 'cluster' | 'placement' | 'tableRemovalPolicy'>,
    Pick<Partial<JobRunnerProps>, 'tableRemovalPolicy'> {
  /** The existing EKS cluster the jobs run on. */
  clusterName: string;
  /** Needed when the cluster's API endpoint is private. */
  vpcPlacement?: VpcPlacementIds;
}

/** The runner against an existing EKS cluster, imported by name (the usual deployment). */
export class JobRunnerStack extends Stack {
  readonly runner: JobRunner;

  constructor(scope: Construct, id: string, props: JobRunnerStackProps) {
    super(scope, id, props);
    const clusterArn = this.formatArn({
      service: 'eks',
      resource: 'cluster',
      resourceName: props.clusterName,
    });
    const placement = props.vpcPlacement ? importPlacement(this, props.vpcPlacement) : undefined;
    this.runner = new JobRunner(this, 'Runner', {
      ...props,
      cluster: { name: props.clusterName, arn: clusterArn },
      placement,
      // Job history is worth keeping: deleting the stack leaves the table unless told otherwise.
      tableRemovalPolicy: props.tableRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    if (placement) suppressVpcAccessPolicy(this.runner);
  }
}

function importPlacement(scope: Construct, ids: VpcPlacementIds): VpcPlacement {
  if (ids.subnetIds.length === 0) throw new Error('VPC placement needs at least one subnet id');
  // Only the VPC id is used (for the functions' security groups); the subnets are given
  // explicitly, so the AZs stay the unresolved Fn::GetAZs and nothing is looked up.
  const vpc = ec2.Vpc.fromVpcAttributes(scope, 'Vpc', { vpcId: ids.vpcId, availabilityZones: Fn.getAzs() });
  return {
    vpc,
    subnets: ids.subnetIds.map((id) => ec2.Subnet.fromSubnetId(scope, `Subnet-${id}`, id)),
    securityGroups: ids.securityGroupIds?.map((id) =>
      ec2.SecurityGroup.fromSecurityGroupId(scope, `Sg-${id}`, id),
    ),
  };
}
