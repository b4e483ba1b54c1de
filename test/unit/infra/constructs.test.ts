// The constructs' own rules: what they refuse, what they derive from the shared files.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  assertNamespace,
  kubectlApplyCommand,
  RBAC_FILE,
  rbacManifests,
  runnerGroup,
} from '../../../infra/constructs/cluster-rbac.ts';
import { JobRunner, type JobRunnerProps } from '../../../infra/constructs/job-runner.ts';
import { assertVisibilityCoversRetries } from '../../../infra/constructs/jobs-queue.ts';
import { PROJECT_ROOT } from '../../../infra/constructs/project-root.ts';
import { ScheduledJob } from '../../../infra/constructs/scheduled-job.ts';
import { JobRunnerStack } from '../../../infra/stacks/job-runner-stack.ts';
import type { Cfn } from './support.ts';

const env = { account: '123456789012', region: 'eu-west-1' };
const newStack = () => new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Test', { env });
const runnerProps: JobRunnerProps = {
  cluster: { name: 'jobs', arn: 'arn:aws:eks:eu-west-1:123456789012:cluster/jobs' },
  jobsNamespaces: ['jobs'],
  jobPolicy: '{}',
  reconcileWindowSeconds: 50,
  submit: { batchSize: 10, maxBatchingWindowSeconds: 1, maxConcurrency: 10 },
  tableRemovalPolicy: RemovalPolicy.DESTROY,
};
const runner = (props: Partial<JobRunnerProps>) =>
  new JobRunner(newStack(), 'Runner', { ...runnerProps, ...props });

describe('RBAC from infra/k8s/rbac.yaml', () => {
  test('gives the Roles and RoleBindings of the file for one namespace, placeholder replaced', () => {
    const docs = rbacManifests('batch');
    assert.deepEqual(
      docs.map((doc) => [doc.kind, doc.metadata.name, doc.metadata.namespace]),
      [
        ['Role', 'eks-job-runner-submit', 'batch'],
        ['RoleBinding', 'eks-job-runner-submit', 'batch'],
        ['Role', 'eks-job-runner-reconcile', 'batch'],
        ['RoleBinding', 'eks-job-runner-reconcile', 'batch'],
      ],
    );
    assert.ok(!JSON.stringify(docs).includes('NAMESPACE'));
    const file = readFileSync(join(PROJECT_ROOT, RBAC_FILE), 'utf8');
    assert.ok(file.includes('verbs: ["create", "get", "delete", "patch"]'));
    // submit creates, reads, deletes and suspends Jobs, nothing else; reconcile never creates one.
    assert.deepEqual((docs[0] as Cfn).rules, [
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'get', 'delete', 'patch'] },
    ]);
    assert.deepEqual((docs[2] as Cfn).rules, [
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list', 'watch', 'delete', 'patch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'patch'] },
      { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
    ]);
  });

  test("each function's access entry maps into the group its RoleBinding names", () => {
    assert.equal(runnerGroup('submit'), 'eks-job-runner-submit');
    assert.equal(runnerGroup('reconcile'), 'eks-job-runner-reconcile');
  });

  test('the kubectl command applies the file to each namespace, and refuses what is no namespace name', () => {
    assert.equal(
      kubectlApplyCommand(['a', 'b-2']),
      "sed 's/NAMESPACE/a/g' infra/k8s/rbac.yaml | kubectl apply -f - && " +
        "sed 's/NAMESPACE/b-2/g' infra/k8s/rbac.yaml | kubectl apply -f -",
    );
    assert.throws(() => kubectlApplyCommand(['jobs; rm -rf /']), /not a valid Kubernetes namespace/);
    assert.throws(() => assertNamespace('Jobs'), /not a valid Kubernetes namespace/);
    assert.throws(() => assertNamespace('a'.repeat(64)), /not a valid Kubernetes namespace/);
  });
});

describe('JobRunner refuses a configuration that would fail at run time', () => {
  test('a reconcile window outside 10..840 seconds', () => {
    assert.throws(() => runner({ reconcileWindowSeconds: 5 }), /from 10 to 840/);
    assert.throws(() => runner({ reconcileWindowSeconds: 841 }), /from 10 to 840/);
  });

  test('a job policy that is no JSON, or too big for the Lambda environment', () => {
    assert.throws(() => runner({ jobPolicy: '{images:' }), /jobPolicy is not JSON/);
    assert.throws(
      () => runner({ jobPolicy: JSON.stringify({ secrets: ['x'.repeat(4000)] }) }),
      /at most 3072 fit/,
    );
  });

  test('no namespace, or one with an invalid name', () => {
    assert.throws(() => runner({ jobsNamespaces: [] }), /at least one jobs namespace/);
    assert.throws(
      () => runner({ jobsNamespaces: ['jobs', 'Not_Valid'] }),
      /not a valid Kubernetes namespace/,
    );
  });

  test('extra environment that would override what CDK sets', () => {
    assert.throws(
      () => runner({ functionEnvironment: { submit: { JOB_POLICY: '{}' } } }),
      /functionEnvironment.submit may not set JOB_POLICY/,
    );
  });

  test('a queue visibility timeout under 6x the submit timeout', () => {
    assert.throws(() => assertVisibilityCoversRetries(179, 30), /less than 6x/);
    assert.doesNotThrow(() => assertVisibilityCoversRetries(180, 30));
  });
});

describe('JobRunner', () => {
  test('passes extra settings to the function that reads them, minifying the policy', () => {
    const built = runner({
      jobPolicy: '{ "secrets": [ "db" ] }',
      functionEnvironment: { reconcile: { RETENTION_DAYS: '20' }, submit: { SUBMIT_CONCURRENCY: '8' } },
    });
    const template = Template.fromStack(Stack.of(built));
    const variables = (fn: string) =>
      (Object.values(template.toJSON().Resources) as Cfn[]).find(
        (r) => r.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === fn,
      ).Properties.Environment.Variables;
    assert.equal(variables('submit').SUBMIT_CONCURRENCY, '8');
    assert.equal(variables('submit').JOB_POLICY, '{"secrets":["db"]}');
    assert.equal(variables('submit').RETENTION_DAYS, undefined);
    assert.equal(variables('reconcile').RETENTION_DAYS, '20');
  });
});

describe('tracing', () => {
  const DISTRO = 'arn:aws:lambda:eu-west-1:615299751070:layer:AWSOpenTelemetryDistroJs:10';
  const WITH_COLLECTOR = 'arn:aws:lambda:eu-west-1:901920570463:layer:aws-otel-nodejs-arm64-ver-1-30-2:1';
  const functions = (built: JobRunner) =>
    (Object.values(Template.fromStack(Stack.of(built)).toJSON().Resources) as Cfn[])
      .filter((r) => r.Type === 'AWS::Lambda::Function')
      .map((r) => r.Properties);

  test('all three functions trace actively; without adotLayerArn, no layer and no start script', () => {
    const all = functions(runner({}));
    assert.deepEqual(
      all.map((fn) => fn.Environment.Variables.POWERTOOLS_SERVICE_NAME),
      ['submit', 'reconcile', 'publish'],
    );
    for (const fn of all) {
      assert.deepEqual(fn.TracingConfig, { Mode: 'Active' });
      assert.equal(fn.Layers, undefined);
      assert.equal(fn.Environment.Variables.AWS_LAMBDA_EXEC_WRAPPER, undefined);
    }
  });

  test("with adotLayerArn, the layer and its start script on each: the distro's, or the collector layers'", () => {
    for (const [arn, wrapper] of [
      [DISTRO, '/opt/otel-instrument'],
      [WITH_COLLECTOR, '/opt/otel-handler'],
    ]) {
      const all = functions(runner({ adotLayerArn: arn }));
      assert.equal(all.length, 3);
      for (const fn of all) {
        assert.deepEqual(fn.TracingConfig, { Mode: 'Active' });
        assert.deepEqual(fn.Layers, [arn]);
        assert.equal(fn.Environment.Variables.AWS_LAMBDA_EXEC_WRAPPER, wrapper);
        assert.equal(fn.Environment.Variables.NODE_OPTIONS, '--enable-source-maps');
      }
    }
  });

  test('refuses a layer for x86, one of another region, and what is no layer version ARN', () => {
    assert.throws(() => runner({ adotLayerArn: WITH_COLLECTOR.replace('arm64', 'amd64') }), /arm64/);
    assert.throws(() => runner({ adotLayerArn: DISTRO.replace('eu-west-1', 'us-east-1') }), /regional/);
    assert.throws(() => runner({ adotLayerArn: DISTRO.replace(/:10$/, '') }), /not a layer version ARN/);
    assert.throws(
      () => runner({ functionEnvironment: { publish: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/x' } } }),
      /may not set AWS_LAMBDA_EXEC_WRAPPER/,
    );
  });
});

describe('JobRunnerStack with VPC placement', () => {
  test('puts both functions in the given subnets with a security group in the given VPC', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new JobRunnerStack(app, 'Placed', {
      ...runnerProps,
      env,
      clusterName: 'jobs',
      vpcPlacement: {
        vpcId: 'vpc-0123456789abcdef0',
        subnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
      },
    });
    const template = Template.fromStack(stack);
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as Cfn[];
    // publish talks to AWS APIs only and stays outside the VPC
    const placed = functions.filter((fn) => fn.Properties.VpcConfig);
    assert.equal(placed.length, 2);
    assert.equal(functions.length, 3);
    for (const fn of placed) {
      assert.deepEqual(fn.Properties.VpcConfig.SubnetIds, [
        'subnet-0aaaaaaaaaaaaaaaa',
        'subnet-0bbbbbbbbbbbbbbbb',
      ]);
      const sg = fn.Properties.VpcConfig.SecurityGroupIds[0]['Fn::GetAtt'][0];
      assert.equal(template.toJSON().Resources[sg].Properties.VpcId, 'vpc-0123456789abcdef0');
    }
  });

  test('uses the given security groups instead of making its own', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new JobRunnerStack(app, 'Placed', {
      ...runnerProps,
      env,
      clusterName: 'jobs',
      vpcPlacement: { vpcId: 'vpc-1', subnetIds: ['subnet-a'], securityGroupIds: ['sg-0123456789abcdef0'] },
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::SecurityGroup', 0);
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as Cfn[];
    const placed = functions.filter((fn) => fn.Properties.VpcConfig);
    assert.equal(placed.length, 2);
    for (const fn of placed)
      assert.deepEqual(fn.Properties.VpcConfig.SecurityGroupIds, ['sg-0123456789abcdef0']);
  });
});

describe('ScheduledJob', () => {
  const queue = (stack: Stack) => new sqs.Queue(stack, 'Queue');

  test('refuses a request that sets its own jobId: it would be the same every firing', () => {
    const stack = newStack();
    assert.throws(
      () =>
        new ScheduledJob(stack, 'Nightly', {
          name: 'nightly',
          schedule: 'rate(1 day)',
          request: { jobId: 'fixed', owner: 'ops', image: 'busybox' },
          queue: queue(stack),
        }),
      /the schedule sets jobId/,
    );
  });

  test('refuses at synth a request that submit would reject', () => {
    const stack = newStack();
    assert.throws(
      () =>
        new ScheduledJob(stack, 'Nightly', {
          name: 'nightly',
          schedule: 'rate(1 day)',
          request: { image: 'busybox', retries: -1 },
          queue: queue(stack),
        }),
      /scheduled job nightly: invalid request \(.*owner.*retries/,
    );
  });
});
