import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ExampleClusterStack } from '../stacks/example-cluster-stack.ts';
import { JobRunnerStack } from '../stacks/job-runner-stack.ts';
import { type AppConfig, readConfig } from './config.ts';

/** The stacks the app deploys, from the context; the tests build the app through this too. */
export function buildApp(app: App): {
  config: AppConfig;
  runner: JobRunnerStack;
  example?: ExampleClusterStack;
} {
  const config = readConfig(app.node);
  const env = { account: config.account, region: config.region };
  const runnerProps = {
    env,
    jobsNamespaces: config.jobsNamespaces,
    jobPolicy: config.jobPolicy,
    reconcileWindowSeconds: config.reconcileWindowSeconds,
    reconcileLagThresholdSeconds: config.reconcileLagThresholdSeconds,
    submit: config.submit,
    alarmTopicArn: config.alarmTopicArn,
    adotLayerArn: config.adotLayerArn,
    scheduledJobs: config.scheduledJobs,
    functionEnvironment: config.functionEnvironment,
  };
  const runner = new JobRunnerStack(app, config.stackName, {
    ...runnerProps,
    description: 'eks-job-runner: runs queued job requests as Kubernetes Jobs on an existing EKS cluster',
    clusterName: config.clusterName,
    vpcPlacement: config.vpcPlacement,
    tableRemovalPolicy: config.tableRemovalPolicy,
  });

  let example: ExampleClusterStack | undefined;
  if (config.exampleCluster) {
    example = new ExampleClusterStack(app, `${config.stackName}ExampleCluster`, {
      ...runnerProps,
      description: 'eks-job-runner example: a VPC, an EKS Auto Mode cluster and the runner on it',
      kubectlLayerArn: config.kubectlLayerArn,
      availabilityZones: config.availabilityZones.length > 0 ? config.availabilityZones : undefined,
    });
  }

  // cdk-nag 3 is a policy-validation plugin: synth fails on any finding not acknowledged.
  if (config.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { config, runner, example };
}
