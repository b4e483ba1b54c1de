// stack.json as the runtime, ejr --local and the tests read it (infra/local/stack-info.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { connector } from '../../../cli/target.ts';
import { type LocalStack, loadLocalStack, withSqsEndpoint } from '../../../infra/local/stack-info.ts';

const stack = (aws: Partial<LocalStack['aws']>): LocalStack => ({
  dir: '/tmp/stack',
  apiServerUrl: 'https://127.0.0.1:1',
  kubeconfigs: { submit: 's', reconcile: 'r' },
  adminKubeconfig: 'a',
  jobsNamespaces: ['jobs'],
  nodes: [],
  aws: {
    endpoint: 'http://127.0.0.1:25000',
    sqsEndpoint: 'http://127.0.0.1:25324',
    region: 'us-east-1',
    tableName: 't',
    queueUrl: 'http://127.0.0.1:25324/123456789012/q',
    dlqUrl: 'http://127.0.0.1:25324/123456789012/dlq',
    eventBusName: 'b',
    ...aws,
  },
  pids: {},
});

const dir = mkdtempSync(join(tmpdir(), 'stack-info-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("the stack's SQS endpoint", () => {
  test('ElasticMQ, as stack-up writes it, apart from moto', () => {
    assert.equal(withSqsEndpoint(stack({})).aws.sqsEndpoint, 'http://127.0.0.1:25324');
  });

  test("a stack.json from before ElasticMQ has its queues on moto: moto's endpoint serves SQS", () => {
    const old = stack({ sqsEndpoint: undefined as unknown as string });
    delete (old.aws as Partial<LocalStack['aws']>).sqsEndpoint;
    writeFileSync(join(dir, 'stack.json'), JSON.stringify(old));
    const previous = process.env.EJR_STACK_DIR;
    process.env.EJR_STACK_DIR = dir;
    try {
      assert.equal(loadLocalStack().aws.sqsEndpoint, 'http://127.0.0.1:25000');
    } finally {
      if (previous === undefined) delete process.env.EJR_STACK_DIR;
      else process.env.EJR_STACK_DIR = previous;
    }
  });

  test("ejr --local sends SQS calls to the stack's SQS endpoint", async () => {
    writeFileSync(join(dir, 'stack.json'), JSON.stringify(stack({})));
    const previous = process.env.EJR_STACK_DIR;
    process.env.EJR_STACK_DIR = dir;
    try {
      const target = await connector({ local: true, stack: 'S' })(['queueUrl', 'tableName']);
      const sqs = target.sqs as unknown as { config: { endpoint: () => Promise<{ port?: number }> } };
      assert.equal((await sqs.config.endpoint()).port, 25324);
      assert.equal(target.queueUrl, 'http://127.0.0.1:25324/123456789012/q');
    } finally {
      if (previous === undefined) delete process.env.EJR_STACK_DIR;
      else process.env.EJR_STACK_DIR = previous;
    }
  });
});
