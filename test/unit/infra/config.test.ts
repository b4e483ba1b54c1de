import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { App, RemovalPolicy } from 'aws-cdk-lib';
import { readConfig } from '../../../infra/bin/config.ts';
import { FUNCTIONS } from '../../../shared/resources.ts';
import { CDK_CONTEXT } from './support.ts';

const configOf = (context: Record<string, unknown>) => readConfig(new App({ context }).node);
const withDefaults = (context: Record<string, unknown>) => configOf({ ...CDK_CONTEXT, ...context });

describe('readConfig', () => {
  test("cdk.json's defaults: placeholder account, one namespace, no VPC, table kept, nag on", () => {
    const config = withDefaults({});
    assert.equal(config.account, '123456789012');
    assert.equal(config.region, 'eu-west-1');
    assert.equal(config.clusterName, 'jobs');
    assert.deepEqual(config.jobsNamespaces, ['jobs']);
    assert.equal(config.jobPolicy, '{}');
    assert.equal(config.reconcileWindowSeconds, FUNCTIONS.reconcile.windowSeconds);
    assert.deepEqual(config.submit, { batchSize: 10, maxBatchingWindowSeconds: 1, maxConcurrency: 10 });
    assert.equal(config.vpcPlacement, undefined);
    assert.equal(config.tableRemovalPolicy, RemovalPolicy.RETAIN);
    assert.equal(config.alarmTopicArn, undefined);
    assert.equal(config.adotLayerArn, undefined, 'active tracing only');
    assert.deepEqual(config.scheduledJobs, []);
    assert.equal(config.exampleCluster, false);
    assert.equal(config.nag, true);
  });

  test('takes command-line strings (-c key=value) for numbers, lists, flags and JSON', () => {
    const config = withDefaults({
      jobsNamespaces: 'jobs, batch ',
      submitBatchSize: '5',
      reconcileWindowSeconds: '110',
      vpcId: 'vpc-1',
      subnetIds: 'subnet-a,subnet-b',
      tableRemovalPolicy: 'destroy',
      exampleCluster: 'true',
      nag: 'false',
      adotLayerArn: 'arn:aws:lambda:eu-west-1:123456789012:layer:AWSOpenTelemetryDistroJs:1',
      scheduledJobs: '[{"name":"n","schedule":"rate(1 day)","request":{"owner":"o"}}]',
      functionEnvironment: '{"reconcile":{"RETENTION_DAYS":20}}',
    });
    assert.deepEqual(config.jobsNamespaces, ['jobs', 'batch']);
    assert.equal(config.submit.batchSize, 5);
    assert.equal(config.reconcileWindowSeconds, 110);
    assert.deepEqual(config.vpcPlacement, {
      vpcId: 'vpc-1',
      subnetIds: ['subnet-a', 'subnet-b'],
      securityGroupIds: [],
    });
    assert.equal(config.tableRemovalPolicy, RemovalPolicy.DESTROY);
    assert.equal(config.exampleCluster, true);
    assert.equal(config.nag, false);
    assert.equal(
      config.adotLayerArn,
      'arn:aws:lambda:eu-west-1:123456789012:layer:AWSOpenTelemetryDistroJs:1',
    );
    assert.deepEqual(config.scheduledJobs, [
      { name: 'n', schedule: 'rate(1 day)', timeZone: undefined, request: { owner: 'o' } },
    ]);
    assert.deepEqual(config.functionEnvironment, {
      submit: {},
      reconcile: { RETENTION_DAYS: '20' },
      publish: {},
    });
  });

  test('reads the job policy from jobPolicyFile before jobPolicy, and accepts an inline object', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'policy-')), 'policy.json');
    writeFileSync(file, '{"images":{"allowedRegistries":["public.ecr.aws"]}}');
    assert.equal(
      withDefaults({ jobPolicyFile: file, jobPolicy: '{"x":1}' }).jobPolicy,
      readFileSync(file, 'utf8'),
    );
    assert.equal(withDefaults({ jobPolicy: { secrets: ['a'] } }).jobPolicy, '{"secrets":["a"]}');
  });

  test('names the missing or malformed setting', () => {
    assert.throws(
      () => configOf({ region: 'eu-west-1', clusterName: 'jobs' }),
      /context "account" is required/,
    );
    assert.throws(() => withDefaults({ submitBatchSize: 'ten' }), /"submitBatchSize" must be an integer/);
    assert.throws(() => withDefaults({ tableRemovalPolicy: 'snapshot' }), /retain or destroy/);
    assert.throws(() => withDefaults({ scheduledJobs: [{ name: 'x' }] }), /needs name, schedule and request/);
  });
});
