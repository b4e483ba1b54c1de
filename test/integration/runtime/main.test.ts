// main.ts as a process against a stack.json on moto and the local SQS (ElasticMQ), with the
// fixture bundle standing in for the functions; send-job.ts and get-job.ts as a developer runs them.

import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { localAwsConfig } from '../../../infra/local/aws/client-config.ts';
import type { LocalStack } from '../../../infra/local/stack-info.ts';
import { FUNCTIONS } from '../../../shared/resources.ts';
import { type SqsServer, sqsForTests } from '../../support/elasticmq.ts';
import { type MotoServer, motoForTests } from '../../support/moto.ts';
import {
  buildFixtureBundle,
  deleteCreatedResources,
  repoRoot,
  runProvision,
  uniqueResourceNames,
  waitFor,
  within,
} from './harness.ts';

let moto: MotoServer;
let sqsServer: SqsServer;
let dir: string;
let stack: LocalStack;
let runtime: ChildProcess | undefined;
const stdoutLines: Record<string, unknown>[] = [];
const stderrLines: Record<string, unknown>[] = [];

before(async () => {
  moto = await motoForTests();
  sqsServer = await sqsForTests();
  dir = mkdtempSync(join(tmpdir(), 'runtime-main-'));
  const aws = await runProvision(moto, sqsServer, uniqueResourceNames('main-test'));
  stack = {
    dir,
    apiServerUrl: 'https://127.0.0.1:1',
    kubeconfigs: { submit: join(dir, 'submit.kubeconfig'), reconcile: join(dir, 'reconcile.kubeconfig') },
    adminKubeconfig: join(dir, 'admin.kubeconfig'),
    jobsNamespaces: ['jobs', 'jobs-extra'],
    nodes: [],
    aws: aws as unknown as LocalStack['aws'],
    pids: {},
  };
  writeFileSync(join(dir, 'stack.json'), JSON.stringify(stack));
  // The fixture bundle plays both functions, laid out as scripts/build-bundles.ts lays out dist.
  const bundle = await buildFixtureBundle();
  for (const name of ['submit', 'reconcile', 'publish']) {
    mkdirSync(join(dir, 'dist', name), { recursive: true });
    copyFileSync(bundle.file, join(dir, 'dist', name, 'index.mjs'));
  }
  rmSync(bundle.dir, { recursive: true, force: true });
});

after(async () => {
  if (runtime?.exitCode === null) {
    runtime.kill('SIGKILL');
  }
  await deleteCreatedResources();
  await moto?.stop();
  await sqsServer?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const env = () => ({ ...process.env, EJR_STACK_DIR: dir, FIXTURE_LOG_INVOCATIONS: '1' });

function collectJsonLines(stream: NodeJS.ReadableStream, into: Record<string, unknown>[]): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      try {
        into.push(JSON.parse(line));
      } catch {
        into.push({ text: line });
      }
    }
  });
}

const node = (script: string, args: string[]) =>
  promisify(execFile)(process.execPath, [join(repoRoot, script), ...args], { env: env(), timeout: 30_000 });

describe('main.ts, send-job.ts, get-job.ts', { timeout: 60_000 }, () => {
  test('runs submit on the queue, reconcile on the schedule and publish on the table stream, each with its environment set before import', async () => {
    runtime = spawn(
      process.execPath,
      [join(repoRoot, 'infra/local/runtime/main.ts'), '--dist', join(dir, 'dist'), '--schedule-period', '1'],
      { env: env(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((done) => runtime?.once('exit', (code) => done(code)));
    if (!runtime.stdout || !runtime.stderr) throw new Error('no pipes');
    collectJsonLines(runtime.stdout, stdoutLines);
    collectJsonLines(runtime.stderr, stderrLines);
    await waitFor('the runtime to start', () => stderrLines.find((l) => l.event === 'started'));

    const requestFile = join(dir, 'request.json');
    writeFileSync(requestFile, JSON.stringify({ jobId: 'main-test-1', onReceive: ['ok'] }));
    const sent = JSON.parse((await node('infra/local/runtime/send-job.ts', [requestFile])).stdout);
    assert.equal(sent.queueUrl, stack.aws.queueUrl);
    assert.ok(sent.messageId);

    const submitted = await waitFor('the submit invocation', () =>
      stderrLines.find((l) => l.event === 'invocation' && l.functionName === 'submit'),
    );
    assert.deepEqual(
      { records: submitted.records, failures: submitted.failures, outcome: submitted.outcome },
      { records: 1, failures: 0, outcome: 'success' },
    );
    assert.equal(typeof submitted.durationMs, 'number');
    await waitFor('two reconcile invocations', () =>
      stderrLines.filter((l) => l.event === 'invocation' && l.functionName === 'reconcile').length >= 2
        ? true
        : undefined,
    );

    // A write to the table: its stream record invokes publish.
    const table = DynamoDBDocumentClient.from(new DynamoDBClient(localAwsConfig(moto.endpoint, moto.region)));
    await table.send(new PutCommand({ TableName: stack.aws.tableName, Item: { jobId: 'main-test-stream' } }));
    table.destroy();
    const published = await waitFor('the publish invocation', () =>
      stderrLines.find((l) => l.event === 'invocation' && l.functionName === 'publish'),
    );
    assert.deepEqual(
      { records: published.records, retried: published.retried, outcome: published.outcome },
      { records: 1, retried: 0, outcome: 'success' },
    );

    const seenBy = (functionName: string) =>
      stdoutLines.find((l) => l.fixture === 'invoked' && l.functionName === functionName)?.importedEnv;
    const aws = {
      AWS_ENDPOINT_URL: stack.aws.endpoint,
      AWS_ENDPOINT_URL_SQS: stack.aws.sqsEndpoint,
      AWS_REGION: stack.aws.region,
      AWS_ACCESS_KEY_ID: 'test',
    };
    const common = {
      ...aws,
      JOBS_TABLE_NAME: stack.aws.tableName,
      CLUSTER_ACCESS: 'kubeconfig',
      JOBS_NAMESPACES: 'jobs,jobs-extra',
      RECONCILE_WINDOW_SECONDS: String(FUNCTIONS.reconcile.windowSeconds),
    };
    // The service names CDK sets; each function with its own cluster identity.
    assert.deepEqual(seenBy('submit'), {
      ...common,
      KUBECONFIG: stack.kubeconfigs.submit,
      POWERTOOLS_SERVICE_NAME: FUNCTIONS.submit.serviceName,
      AWS_ACCESS_KEY_ID: 'local-submit',
    });
    assert.deepEqual(seenBy('reconcile'), {
      ...common,
      KUBECONFIG: stack.kubeconfigs.reconcile,
      POWERTOOLS_SERVICE_NAME: FUNCTIONS.reconcile.serviceName,
      AWS_ACCESS_KEY_ID: 'local-reconcile',
    });
    // imported last, beside the others: it sees their variables too (function-environment.ts)
    assert.deepEqual(seenBy('publish'), {
      ...common,
      KUBECONFIG: stack.kubeconfigs.reconcile,
      EVENT_BUS_NAME: stack.aws.eventBusName,
      POWERTOOLS_SERVICE_NAME: FUNCTIONS.publish.serviceName,
      AWS_ACCESS_KEY_ID: 'local-publish',
    });

    runtime.kill('SIGTERM');
    const code = await within(exited, 10_000, 'the runtime to exit');
    assert.equal(code, 0);
    assert.ok(stderrLines.some((l) => l.event === 'stopped'));
  });

  test('get-job prints a record, and fails for an unknown job', async () => {
    const table = DynamoDBDocumentClient.from(new DynamoDBClient(localAwsConfig(moto.endpoint, moto.region)));
    const item = { jobId: 'main-test-2', state: 'RUNNING', owner: 'team-a' };
    await table.send(new PutCommand({ TableName: stack.aws.tableName, Item: item }));
    const { stdout } = await node('infra/local/runtime/get-job.ts', ['main-test-2']);
    assert.deepEqual(JSON.parse(stdout), item);
    await assert.rejects(
      node('infra/local/runtime/get-job.ts', ['no-such-job']),
      /no record for jobId no-such-job/,
    );
    table.destroy();
  });
});
