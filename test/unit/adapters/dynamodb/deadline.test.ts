import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createDocumentClient } from '../../../../shared/adapters/dynamodb/client.ts';
import { DynamoDbJobQueries } from '../../../../shared/adapters/dynamodb/job-queries.ts';
import { DynamoDbJobStore } from '../../../../shared/adapters/dynamodb/job-store.ts';

/** A DynamoDB endpoint that takes every request and never answers. */
let server: Server;
let endpoint: string;

before(async () => {
  server = createServer(() => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

describe("DynamoDB calls end at the caller's deadline", () => {
  const client = () =>
    createDocumentClient({ endpoint, region: 'us-east-1', requestTimeoutMs: 10_000, maxAttempts: 4 });
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';

  it('a store call with no answer fails at the deadline, not after the SDK retries', async () => {
    const store = new DynamoDbJobStore(client(), 'jobs');
    const started = Date.now();
    await assert.rejects(store.get('a', { deadline: Date.now() + 300 }));
    const took = Date.now() - started;
    assert.ok(took < 2000, `took ${took} ms; without the deadline, 4 attempts of 10 s each`);
  });

  it('so does the batched read of states', async () => {
    const reader = new DynamoDbJobQueries(client(), 'jobs');
    const started = Date.now();
    await assert.rejects(reader.getStates(['a', 'b'], { deadline: Date.now() + 300 }));
    assert.ok(Date.now() - started < 2000);
  });
});
