// cdk-nag AwsSolutions over every stack the app can make: no finding may be left
// unacknowledged, and each acknowledgement in infra/stacks/nag-suppressions.ts is needed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { App, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { JobRunner } from '../../../infra/constructs/job-runner.ts';
import { EXAMPLE_CONTEXT, synthApp } from './support.ts';

const placement = {
  vpcId: 'vpc-0123456789abcdef0',
  subnetIds: 'subnet-0aaaaaaaaaaaaaaaa,subnet-0bbbbbbbbbbbbbbbb',
};

function findings(app: App, stack: Stack): string[] {
  const report = new AwsSolutionsChecks(app).validateScope(stack);
  return report.violations.map(
    (v) =>
      `${v.ruleName} at ${v.violatingResources.map((r) => (r as { constructPath?: string }).constructPath)}`,
  );
}

describe('cdk-nag AwsSolutions', () => {
  test('the runner stack outside a VPC has no finding at all', () => {
    const { app, runner } = synthApp();
    assert.deepEqual(findings(app, runner), []);
  });

  test('the runner stack in a VPC and the example cluster stack have none unacknowledged', () => {
    const { app, runner, example } = synthApp({ ...EXAMPLE_CONTEXT, ...placement, nag: 'true' });
    assert.ok(example);
    assert.ok(runner.runner.submit.function.isBoundToVpc);
    assert.deepEqual(findings(app, runner), []);
    assert.deepEqual(findings(app, example), []);
    // The same check as a synth-time plugin, as `cdk synth` runs it: it throws on a finding.
    assert.doesNotThrow(() => app.synth());
  });

  test('without its acknowledgement, VPC placement is flagged on exactly the two function roles', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Bare', { env: { account: '123456789012', region: 'eu-west-1' } });
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: placement.vpcId,
      availabilityZones: Fn.getAzs(),
    });
    new JobRunner(stack, 'Runner', {
      cluster: { name: 'jobs', arn: 'arn:aws:eks:eu-west-1:123456789012:cluster/jobs' },
      jobsNamespaces: ['jobs'],
      jobPolicy: '{}',
      reconcileWindowSeconds: 50,
      submit: { batchSize: 10, maxBatchingWindowSeconds: 1, maxConcurrency: 10 },
      placement: { vpc, subnets: [ec2.Subnet.fromSubnetId(stack, 'Subnet', 'subnet-0aaaaaaaaaaaaaaaa')] },
      tableRemovalPolicy: RemovalPolicy.DESTROY,
    });
    assert.deepEqual(findings(app, stack), [
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole] ' +
        'at Bare/Runner/Submit/Role/Resource,Bare/Runner/Reconcile/Role/Resource',
    ]);
  });
});
