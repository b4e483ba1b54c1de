// The functions' synthesized policies resolved to local ARNs: no token left, each grant on the
// local resource it names, and usable by the evaluator as they are.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { denied, grantsOf, type PolicyDocument } from '../../support/iam/evaluate.ts';
import type { RecordedCall } from '../../support/iam/recording-proxy.ts';
import { functionPolicies } from '../../support/iam/synthesized-policies.ts';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const ARN = {
  table: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/local-jobs`,
  stream: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/local-jobs/stream/2025-01-01T00:00:00.000`,
  queue: `arn:aws:sqs:${REGION}:${ACCOUNT}:local-queue`,
  failures: `arn:aws:sqs:${REGION}:${ACCOUNT}:local-publish-failures`,
  bus: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/local-bus`,
  cluster: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/local-cluster`,
};
const options = {
  region: REGION,
  account: ACCOUNT,
  names: {
    tableName: 'local-jobs',
    queueName: 'local-queue',
    dlqName: 'local-dlq',
    eventBusName: 'local-bus',
    publishFailuresQueueName: 'local-publish-failures',
  },
  streamArn: ARN.stream,
  clusterName: 'local-cluster',
};
const policies = functionPolicies(options);

/** Every grant of the policy as `action on resource`. */
function granted(policy: PolicyDocument): string[] {
  return grantsOf(policy).map(({ action, resource }) => `${action} on ${resource}`);
}

function call(action: string, resource?: string): RecordedCall {
  const resources = resource ? [resource] : [];
  return { accessKeyId: 'AKIA', service: '', action, resources, status: 200, operation: action };
}

describe('functionPolicies', () => {
  test('every token is resolved: each resource is a literal local ARN (or "*")', () => {
    for (const [name, policy] of Object.entries(policies)) {
      for (const { resource } of grantsOf(policy)) {
        assert.match(resource, /^(\*|arn:aws:[a-z]+:us-east-1:123456789012:.+)$/, `${name}: ${resource}`);
      }
    }
  });

  test('submit: its queue, its table and its status index (the admission queue), the cluster, its log group', () => {
    const grants = granted(policies.submit);
    for (const expected of [
      `sqs:ReceiveMessage on ${ARN.queue}`,
      `sqs:DeleteMessage on ${ARN.queue}`,
      `dynamodb:PutItem on ${ARN.table}`,
      `dynamodb:BatchGetItem on ${ARN.table}`,
      `dynamodb:UpdateItem on ${ARN.table}`,
      `dynamodb:Query on ${ARN.table}/index/byStatus`,
      `eks:DescribeCluster on ${ARN.cluster}`,
      `logs:PutLogEvents on arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/submit:*`,
    ]) {
      assert.ok(grants.includes(expected), `submit lacks ${expected}: ${grants.join('\n')}`);
    }
    assert.ok(!grants.some((grant) => grant.includes('/index/byOwner')), 'submit queries no owner index');
  });

  test('publish: the stream, the bus, its failures queue', () => {
    const grants = granted(policies.publish);
    for (const expected of [
      `dynamodb:GetRecords on ${ARN.stream}`,
      'dynamodb:ListStreams on *',
      `events:PutEvents on ${ARN.bus}`,
      `sqs:SendMessage on ${ARN.failures}`,
    ]) {
      assert.ok(grants.includes(expected), `publish lacks ${expected}: ${grants.join('\n')}`);
    }
  });

  test('the evaluator takes them as they are: local calls allowed, others denied', async () => {
    const allowed = [call('dynamodb:PutItem', ARN.table), call('eks:DescribeCluster', ARN.cluster)];
    const others = [call('dynamodb:PutItem', `${ARN.table}-other`), call('events:PutEvents', ARN.bus)];
    assert.deepEqual(await denied([...allowed, ...others], policies.submit), others);
    const publish = [call('dynamodb:GetRecords', ARN.stream), call('dynamodb:ListStreams')];
    assert.deepEqual(await denied(publish, policies.publish), []);
  });

  test('a resource without a local name throws rather than guess', () => {
    const { publishFailuresQueueName: _, ...names } = options.names;
    assert.throws(
      () => functionPolicies({ ...options, names }),
      /no local name for RunnerStateChangesFailures/,
    );
  });
});
