// The evaluation of recorded calls with iam-simulate, on hand-written policies and calls: what
// it denies, that it refuses a pattern as a call's resource, and the mutation check.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  denied,
  grantsOf,
  grantsUnused,
  type PolicyDocument,
  withoutGrant,
} from '../../support/iam/evaluate.ts';
import type { RecordedCall } from '../../support/iam/recording-proxy.ts';

const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/records';
const BUS = 'arn:aws:events:us-east-1:123456789012:event-bus/jobs';

const POLICY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      Resource: [TABLE, `${TABLE}/index/*`],
    },
    { Effect: 'Allow', Action: 'dynamodb:Query', Resource: `${TABLE}/index/*` },
    { Effect: 'Allow', Action: 'dynamodb:ListStreams', Resource: '*' },
    { Sid: 'Events', Effect: 'Allow', Action: 'events:PutEvents', Resource: BUS },
  ],
};

function call(action: string, ...resources: string[]): RecordedCall {
  return {
    accessKeyId: 'AKIA',
    service: action.split(':')[0] ?? '',
    action,
    resources,
    status: 200,
    operation: action,
  };
}

const CALLS = [
  call('dynamodb:GetItem', TABLE),
  call('dynamodb:Query', `${TABLE}/index/byOwner`),
  call('dynamodb:ListStreams'),
  call('events:PutEvents', BUS),
];

describe('denied', () => {
  test('nothing, when every call is granted', async () => {
    assert.deepEqual(await denied(CALLS, POLICY), []);
  });

  test('a call on another resource, or an action not granted', async () => {
    const other = call('dynamodb:GetItem', 'arn:aws:dynamodb:us-east-1:123456789012:table/other');
    const scan = call('dynamodb:Scan', TABLE);
    assert.deepEqual(await denied([...CALLS, other, scan], POLICY), [other, scan]);
  });

  test('a wildcard grant on index/* allows every index, and not the table itself', async () => {
    const byStatus = call('dynamodb:Query', `${TABLE}/index/byStatus`);
    const onTable = call('dynamodb:Query', TABLE);
    assert.deepEqual(await denied([byStatus, onTable], POLICY), [onTable]);
  });

  test('a call with several resources is denied when any one is', async () => {
    const two = call('events:PutEvents', BUS, 'arn:aws:events:us-east-1:123456789012:event-bus/default');
    assert.deepEqual(await denied([two], POLICY), [two]);
  });

  test('an unmapped call is denied: nothing shows it allowed', async () => {
    const unmapped: RecordedCall = { ...call(''), operation: 'POST X.Frob', unmapped: true };
    assert.deepEqual(await denied([unmapped], POLICY), [unmapped]);
  });

  test('a pattern as a call’s resource is refused, though the simulator would call "*" allowed', async () => {
    await assert.rejects(denied([call('dynamodb:Query', '*')], POLICY), /must be an ARN, not "\*"/);
    await assert.rejects(
      denied([call('dynamodb:GetItem', `${TABLE}/index/*`)], POLICY),
      /must be an ARN, not ".*\/index\/\*"/,
    );
  });

  test('a call without a resource is evaluated on "*" only where IAM does (ListStreams), else refused', async () => {
    const noStreams = { ...POLICY, Statement: POLICY.Statement.filter((_, i) => i !== 2) };
    assert.equal((await denied([call('dynamodb:ListStreams')], noStreams)).length, 1);
    await assert.rejects(denied([call('dynamodb:GetItem')], POLICY), /no resource/);
  });
});

describe('the mutation check', () => {
  test('reports exactly the grants whose removal denies no call', async () => {
    assert.deepEqual(await grantsUnused(CALLS, POLICY, []), [
      { statement: 0, action: 'dynamodb:GetItem', resource: `${TABLE}/index/*` },
      { statement: 0, action: 'dynamodb:PutItem', resource: TABLE },
      { statement: 0, action: 'dynamodb:PutItem', resource: `${TABLE}/index/*` },
    ]);
  });

  test('less the exempt ones, by action and resource or by action alone', async () => {
    const exempt = [
      { action: 'dynamodb:PutItem', reason: 'written by a path this test does not run' },
      {
        action: 'dynamodb:GetItem',
        resource: `${TABLE}/index/*`,
        reason: 'the index grant comes with the table',
      },
    ];
    assert.deepEqual(await grantsUnused(CALLS, POLICY, exempt), []);
  });

  test('a grant that is removed denies its call (so it is not reported)', async () => {
    const withoutQuery = withoutGrant(POLICY, {
      statement: 1,
      action: 'dynamodb:Query',
      resource: `${TABLE}/index/*`,
    });
    assert.deepEqual(await denied(CALLS, withoutQuery), [CALLS[1]]);
  });

  test('a removal splits its statement into the other actions and the other resources', () => {
    const split = withoutGrant(POLICY, { statement: 0, action: 'dynamodb:PutItem', resource: TABLE });
    assert.deepEqual(split.Statement.slice(0, 2), [
      { Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: [TABLE, `${TABLE}/index/*`] },
      { Effect: 'Allow', Action: ['dynamodb:PutItem'], Resource: [`${TABLE}/index/*`] },
    ]);
    const last = withoutGrant(POLICY, { statement: 3, action: 'events:PutEvents', resource: BUS });
    assert.equal(last.Statement.length, 3, 'a statement left with nothing is gone');
    assert.equal(grantsOf(POLICY).length, 7);
  });

  test('refuses to run when the policy already denies a call', async () => {
    await assert.rejects(grantsUnused([call('dynamodb:Scan', TABLE)], POLICY, []), /denies calls/);
  });
});
