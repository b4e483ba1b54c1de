// One source for the functions' names and timings: what CDK deploys, what the local runtime
// runs and what the handlers read by default are all FUNCTIONS (shared/resources.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { readSettings as reconcileSettings } from '../../../functions/reconcile/config.ts';
import { functionEnvironment } from '../../../infra/local/runtime/function-environment.ts';
import { readRuntimeOptions } from '../../../infra/local/runtime/runtime-options.ts';
import type { LocalStack } from '../../../infra/local/stack-info.ts';
import { FUNCTIONS } from '../../../shared/resources.ts';
import { type Cfn, synthApp } from './support.ts';

const { runner } = synthApp();
const template = Template.fromStack(runner);
const functionProps = (serviceName: string): Cfn => {
  const found = template.findResources('AWS::Lambda::Function', {
    Properties: { Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: serviceName }) } },
  });
  assert.equal(Object.keys(found).length, 1, `one function with service ${serviceName}`);
  return (Object.values(found)[0] as Cfn).Properties;
};
const submit = functionProps(FUNCTIONS.submit.serviceName);
const reconcile = functionProps(FUNCTIONS.reconcile.serviceName);
const { reconcile: r } = FUNCTIONS;

const localStack: LocalStack = {
  dir: '/tmp/stack',
  apiServerUrl: 'https://127.0.0.1:1',
  kubeconfigs: { submit: '/tmp/stack/submit.kubeconfig', reconcile: '/tmp/stack/reconcile.kubeconfig' },
  adminKubeconfig: '/tmp/stack/admin.kubeconfig',
  jobsNamespaces: ['jobs'],
  nodes: [],
  aws: {
    endpoint: 'http://127.0.0.1:1',
    sqsEndpoint: 'http://127.0.0.1:2',
    region: 'eu-west-1',
    tableName: 't',
    queueUrl: 'http://127.0.0.1:1/q',
    dlqUrl: 'http://127.0.0.1:1/dlq',
    eventBusName: 'b',
  },
  pids: {},
};
const runtimeDefaults = readRuntimeOptions([], {});

describe('CDK deploys FUNCTIONS', () => {
  test('timeouts, memory and reserved concurrency', () => {
    assert.equal(submit.Timeout, FUNCTIONS.submit.timeoutSeconds);
    assert.equal(submit.MemorySize, FUNCTIONS.submit.memoryMb);
    assert.equal(submit.ReservedConcurrentExecutions, undefined);
    assert.equal(reconcile.Timeout, r.windowSeconds + r.flushSeconds);
    assert.equal(reconcile.MemorySize, r.memoryMb);
    assert.equal(reconcile.ReservedConcurrentExecutions, r.reservedConcurrency);
  });

  test('the metrics namespace, which the reconcile lag alarm reads with the service name', () => {
    for (const fn of [submit, reconcile]) {
      assert.equal(fn.Environment.Variables.POWERTOOLS_METRICS_NAMESPACE, FUNCTIONS.metricsNamespace);
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: FUNCTIONS.metricsNamespace,
      Dimensions: [{ Name: 'service', Value: r.serviceName }],
    });
  });

  test('the schedule and the age after which a tick is dropped', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: Schedule.rate(Duration.seconds(r.scheduleSeconds)).expressionString,
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumEventAgeInSeconds: r.scheduleSeconds,
    });
  });
});

describe('the local runtime runs the functions as CDK deploys them', () => {
  test('with the service names and the metrics namespace CDK sets', () => {
    for (const [name, deployed] of [
      ['submit', submit],
      ['reconcile', reconcile],
    ] as const) {
      const local = functionEnvironment(localStack, runtimeDefaults, name);
      assert.equal(local.POWERTOOLS_SERVICE_NAME, deployed.Environment.Variables.POWERTOOLS_SERVICE_NAME);
      assert.equal(
        local.POWERTOOLS_METRICS_NAMESPACE,
        deployed.Environment.Variables.POWERTOOLS_METRICS_NAMESPACE,
      );
      assert.equal(local.RECONCILE_WINDOW_SECONDS, String(r.windowSeconds));
    }
  });

  test("with SQS on the stack's SQS endpoint (ElasticMQ) and every other service on moto", () => {
    for (const name of ['submit', 'reconcile', 'publish'] as const) {
      const local = functionEnvironment(localStack, runtimeDefaults, name);
      assert.equal(local.AWS_ENDPOINT_URL, localStack.aws.endpoint);
      assert.equal(local.AWS_ENDPOINT_URL_SQS, localStack.aws.sqsEndpoint);
    }
  });

  test('with the timeouts, window and schedule CDK deploys', () => {
    assert.equal(runtimeDefaults.submitTimeoutSeconds, submit.Timeout);
    assert.equal(runtimeDefaults.reconcileTimeoutSeconds, reconcile.Timeout);
    assert.equal(runtimeDefaults.reconcileWindowSeconds, r.windowSeconds);
    assert.equal(runtimeDefaults.schedulePeriodSeconds, r.scheduleSeconds);
    const shorter = readRuntimeOptions(['--reconcile-window', '20'], {});
    assert.equal(shorter.reconcileTimeoutSeconds, 20 + r.flushSeconds);
  });

  test('all three functions by default, or the ones asked for (one each: a process env of its own)', () => {
    assert.deepEqual(runtimeDefaults.functions, ['submit', 'reconcile', 'publish']);
    assert.deepEqual(readRuntimeOptions(['--functions', 'publish'], {}).functions, ['publish']);
    assert.deepEqual(readRuntimeOptions([], { EJR_FUNCTIONS: 'submit, reconcile' }).functions, [
      'submit',
      'reconcile',
    ]);
    assert.throws(() => readRuntimeOptions(['--functions', 'submit,nope'], {}), /--functions takes a list/);
  });
});

describe('the reconcile handler reads the same window', () => {
  const base = { JOBS_TABLE_NAME: 't', JOBS_NAMESPACES: 'jobs' };

  test('by default, and up to the longest CDK deploys', () => {
    assert.equal(reconcileSettings(base).windowMs, r.windowSeconds * 1000);
    assert.equal(
      reconcileSettings({ ...base, RECONCILE_WINDOW_SECONDS: String(r.maxWindowSeconds) }).windowMs,
      r.maxWindowSeconds * 1000,
    );
    assert.throws(
      () => reconcileSettings({ ...base, RECONCILE_WINDOW_SECONDS: String(r.maxWindowSeconds + 1) }),
      /RECONCILE_WINDOW_SECONDS/,
    );
  });
});
