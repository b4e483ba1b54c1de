import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import { CfnOutput, Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { JobRunner, type JobRunnerProps } from '../constructs/job-runner.ts';
import { suppressExampleClusterFindings, suppressVpcAccessPolicy } from './nag-suppressions.ts';

export interface ExampleClusterStackProps
  extends StackProps,
    Omit<JobRunnerProps, 'cluster' | 'placement' | 'tableRemovalPolicy'> {
  /**
   * A Lambda layer with /opt/kubectl/kubectl and /opt/helm/helm through which CDK applies the
   * namespaces and the RBAC. Default: the layer of the @aws-cdk/lambda-layer-kubectl-v35
   * package, deployed as an asset of this stack; an ARN uses a layer published already.
   */
  kubectlLayerArn?: string;
  /** Two or more AZ names. Default: the region's first two, chosen by CloudFormation. */
  availabilityZones?: string[];
}

/**
 * An example of the whole thing from nothing: a VPC, an EKS Auto Mode cluster with a private
 * API endpoint, the runner's functions in the VPC's private subnets, and the jobs namespaces
 * with the RBAC applied by CDK. Throwaway by design: its table is destroyed with the stack.
 */
export class ExampleClusterStack extends Stack {
  readonly cluster: eks.Cluster;
  readonly runner: JobRunner;
  private readonly zones: string[];

  constructor(scope: Construct, id: string, props: ExampleClusterStackProps) {
    super(scope, id, props);
    // The region's first two AZs, resolved by CloudFormation (Fn::GetAZs) at deploy time.
    this.zones = props.availabilityZones ?? [0, 1].map((i) => Fn.select(i, Fn.getAzs()));
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: this.zones.length,
      natGateways: 1,
      // Rejected traffic is what explains an unreachable private endpoint; accepted is noise.
      flowLogs: { rejected: { trafficType: ec2.FlowLogTrafficType.REJECT } },
    });
    this.cluster = new eks.Cluster(this, 'Cluster', {
      version: eks.KubernetesVersion.V1_35,
      vpc,
      vpcSubnets: [{ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }],
      // Private only: nothing on the internet reaches the API server; the functions and the
      // kubectl provider run in the VPC.
      endpointAccess: eks.EndpointAccess.PRIVATE,
      clusterLogging: [
        eks.ClusterLoggingTypes.API,
        eks.ClusterLoggingTypes.AUDIT,
        eks.ClusterLoggingTypes.AUTHENTICATOR,
        eks.ClusterLoggingTypes.CONTROLLER_MANAGER,
        eks.ClusterLoggingTypes.SCHEDULER,
      ],
      kubectlProviderOptions: {
        kubectlLayer: props.kubectlLayerArn
          ? lambda.LayerVersion.fromLayerVersionArn(this, 'KubectlLayer', props.kubectlLayerArn)
          : new KubectlV35Layer(this, 'KubectlLayer'),
      },
    });

    this.runner = new JobRunner(this, 'Runner', {
      ...props,
      cluster: { name: this.cluster.clusterName, arn: this.cluster.clusterArn, managed: this.cluster },
      placement: { vpc, subnets: vpc.privateSubnets },
      tableRemovalPolicy: RemovalPolicy.DESTROY,
    });
    for (const fn of [this.runner.submit.function, this.runner.reconcile.function]) {
      this.cluster.connections.allowFrom(fn, ec2.Port.tcp(443), 'eks-job-runner functions to the API server');
    }
    suppressVpcAccessPolicy(this.runner);
    suppressExampleClusterFindings(this.cluster);

    new CfnOutput(this, 'ClusterName', { value: this.cluster.clusterName });
  }

  /** The AZs as given: the default getter would look them up in the account at synth time. */
  override get availabilityZones(): string[] {
    return this.zones;
  }
}
