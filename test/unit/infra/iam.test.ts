// Function truth: each function's role in the synthesized template grants the IAM actions of
// the adapter methods its uses.ts declares, on the right resources, and no other action of
// those services. (test/unit/adapters/iam.test.ts proves the adapters' tables; the handlers'
// onlyMethods guard proves, in the tests of the real bundles, that the uses are complete.)
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { USES as PUBLISH_USES } from '../../../functions/publish/uses.ts';
import { USES as RECONCILE_USES } from '../../../functions/reconcile/uses.ts';
import { USES as SUBMIT_USES } from '../../../functions/submit/uses.ts';
import { DynamoDbAdmissionStore } from '../../../shared/adapters/dynamodb/admission-store.ts';
import { DynamoDbJobQueries } from '../../../shared/adapters/dynamodb/job-queries.ts';
import { DynamoDbJobStore } from '../../../shared/adapters/dynamodb/job-store.ts';
import { EventBridgePublisher } from '../../../shared/adapters/eventbridge/publisher.ts';
import {
  type AdapterName,
  grantsOf,
  parseGrant,
  serviceOf,
  type Uses,
} from '../../../shared/adapters/iam.ts';
import * as eksAuth from '../../../shared/adapters/kubernetes/eks-auth.ts';
import { FUNCTIONS } from '../../../shared/resources.ts';
import { type Cfn, synthApp } from './support.ts';

const { runner } = synthApp();
const template = Template.fromStack(runner);
const json = template.toJSON();

function only(type: string, props: object): string {
  const ids = Object.keys(template.findResources(type, { Properties: Match.objectLike(props) }));
  assert.equal(ids.length, 1, `expected one ${type} like ${JSON.stringify(props)}`);
  return ids[0] as string;
}
const tableId = only('AWS::DynamoDB::Table', {});
const busId = only('AWS::Events::EventBus', {});
/** What each service's actions must be granted on: the resource, or the named part of it. */
function resourceOf(service: string, part: string | undefined): unknown {
  switch (service) {
    case 'dynamodb':
      return part
        ? { 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, `/${part}`]] }
        : { 'Fn::GetAtt': [tableId, 'Arn'] };
    case 'events':
      return { 'Fn::GetAtt': [busId, 'Arn'] };
    case 'eks':
      return {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':eks:eu-west-1:123456789012:cluster/jobs']],
      };
    default:
      throw new Error(`no resource known for ${service}`);
  }
}

/** Every Allow statement of the function's role, one action each. */
function grants(serviceName: string): { action: string; resource: unknown }[] {
  const fnId = only('AWS::Lambda::Function', {
    Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: serviceName }) },
  });
  const role = json.Resources[fnId].Properties.Role['Fn::GetAtt'][0];
  const policies = Object.values(
    template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: role }] } }),
  ) as Cfn[];
  return policies.flatMap((policy) =>
    (policy.Properties.PolicyDocument.Statement as Cfn[])
      .filter((statement) => statement.Effect === 'Allow')
      .flatMap((statement) =>
        [statement.Action].flat().map((action: string) => ({ action, resource: statement.Resource })),
      ),
  );
}

/** The adapters as the functions get them, to check that every use names a real method. */
const ADAPTERS: Record<AdapterName, object> = {
  DynamoDbJobStore: DynamoDbJobStore.prototype,
  DynamoDbJobQueries: DynamoDbJobQueries.prototype,
  DynamoDbAdmissionStore: DynamoDbAdmissionStore.prototype,
  EventBridgePublisher: EventBridgePublisher.prototype,
  EksAuth: eksAuth,
};

for (const [fn, uses] of [
  ['submit', SUBMIT_USES],
  ['reconcile', RECONCILE_USES],
  ['publish', PUBLISH_USES],
] as ['submit' | 'reconcile' | 'publish', Uses][]) {
  describe(`${fn}'s role against functions/${fn}/uses.ts`, () => {
    const granted = grants(FUNCTIONS[fn].serviceName);
    const used = grantsOf(uses).map(parseGrant);

    test('every action of the methods it uses is granted, on exactly the resource it needs', () => {
      for (const { action, part } of used) {
        const on = granted.filter((grant) => grant.action === action).map((grant) => grant.resource);
        assert.deepEqual(on, [resourceOf(serviceOf(action), part)], `${fn}: ${action}`);
      }
    });

    test('no DynamoDB table, EventBridge or EKS action beyond them', () => {
      const extra = granted
        .filter((grant) => !JSON.stringify(grant.resource).includes('StreamArn')) // the event source's
        .map((grant) => grant.action)
        .filter((action) => ['dynamodb', 'events', 'eks'].includes(action.split(':')[0] as string))
        .filter((action) => action !== 'dynamodb:ListStreams') // the event source's, on "*"
        .filter((action) => !used.some((use) => use.action === action));
      assert.deepEqual(extra, []);
    });

    test('every use names a method of its adapter', () => {
      for (const [adapter, methods] of Object.entries(uses) as [AdapterName, string[]][]) {
        for (const method of methods) {
          const exists = typeof (ADAPTERS[adapter] as Record<string, unknown>)[method] === 'function';
          assert.ok(exists, `${adapter}.${method} is not a method of ${adapter}`);
        }
      }
    });
  });
}
