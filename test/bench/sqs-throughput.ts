// SQS throughput of local endpoints, as the local runtime uses SQS (prints figures; not a test).
//
//   node test/bench/sqs-throughput.ts [--n 2000] [--runs 1] ENDPOINT...
//   e.g. the stack's ElasticMQ and moto: http://127.0.0.1:25324 http://127.0.0.1:25000
//
// Per endpoint and run: one queue of its own; N messages of a job request's size sent 10 a call
// by 8 senders; then 4 pollers receive as the event source does (10 a call, every attribute,
// WaitTimeSeconds 1) and delete 10 a call, timed to the last delete. The queue is deleted after.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { localAwsConfig } from '../../infra/local/aws/client-config.ts';

const { values, positionals } = parseArgs({
  options: { n: { type: 'string', default: '2000' }, runs: { type: 'string', default: '1' } },
  allowPositionals: true,
});
const N = Number(values.n);
const RUNS = Number(values.runs);
const SENDERS = 8;
const POLLERS = 4;
/** About the size of docs/examples/one-shot.json. */
const BODY = JSON.stringify({ jobId: 'x'.repeat(36), owner: 'team', image: 'busybox', pad: 'p'.repeat(400) });
/** A run that has not finished by then is a failure, not a hang. */
const RUN_LIMIT_MS = 15 * 60_000;

if (positionals.length === 0 || !(N > 0) || !(RUNS > 0)) {
  console.error('usage: node test/bench/sqs-throughput.ts [--n 2000] [--runs 1] ENDPOINT...');
  process.exit(2);
}

async function run(sqs: SQSClient): Promise<{ sendPerS: number; receiveDeletePerS: number }> {
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: `bench-throughput-${randomUUID().slice(0, 8)}` }),
  );
  if (!QueueUrl) throw new Error('no queue url');
  const deadline = Date.now() + RUN_LIMIT_MS;
  const check = () => {
    if (Date.now() > deadline) throw new Error(`a run took longer than ${RUN_LIMIT_MS} ms`);
  };
  try {
    let batches = Math.ceil(N / 10);
    const sendStarted = performance.now();
    await Promise.all(
      Array.from({ length: SENDERS }, async () => {
        while (batches-- > 0) {
          check();
          const entries = Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageBody: BODY }));
          const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries }));
          if (out.Failed?.length) throw new Error(`send failed: ${JSON.stringify(out.Failed)}`);
        }
      }),
    );
    const sendMs = performance.now() - sendStarted;
    const total = Math.ceil(N / 10) * 10;
    let handled = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: POLLERS }, async () => {
        while (handled < total) {
          check();
          const { Messages = [] } = await sqs.send(
            new ReceiveMessageCommand({
              QueueUrl,
              MaxNumberOfMessages: 10,
              WaitTimeSeconds: 1,
              MessageSystemAttributeNames: ['All'],
              MessageAttributeNames: ['All'],
            }),
          );
          if (Messages.length === 0) continue;
          const entries = Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle }));
          const out = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: entries }));
          handled += out.Successful?.length ?? 0;
        }
      }),
    );
    const ms = performance.now() - started;
    return { sendPerS: (total / sendMs) * 1000, receiveDeletePerS: (total / ms) * 1000 };
  } finally {
    await sqs.send(new DeleteQueueCommand({ QueueUrl })).catch(() => {});
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
for (const endpoint of positionals) {
  const sqs = new SQSClient(localAwsConfig(endpoint, 'us-east-1'));
  const results = [];
  for (let i = 0; i < RUNS; i++) results.push(await run(sqs));
  sqs.destroy();
  const fmt = (xs: number[]) => `${median(xs).toFixed(1)} (${xs.map((x) => x.toFixed(1)).join(', ')})`;
  console.log(
    `${endpoint}: ${N} messages, ${RUNS} run(s): sends/s ${fmt(results.map((r) => r.sendPerS))}; ` +
      `receive+delete/s ${fmt(results.map((r) => r.receiveDeletePerS))}`,
  );
}
