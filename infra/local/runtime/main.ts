// The local Lambda runtime: the submit bundle on the jobs queue (an SQS event source), the
// reconcile bundle on a rate schedule and the publish bundle on the jobs table's stream, against
// the local stack (stack.json). The bundles are the ones CDK deploys: run `npm run build` first.
// Flags: see runtime-options.ts (--help).
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBStreamEvent, ScheduledEvent, SQSEvent } from 'aws-lambda';
import { FUNCTIONS } from '../../../shared/resources.ts';
import type { FunctionName } from '../../bundling.ts';
import { functionAccessKeyId, localAwsConfig } from '../aws/client-config.ts';
import { queueArn } from '../aws/queues.ts';
import { loadLocalStack } from '../stack-info.ts';
import { applyFunctionEnvironment, functionEnvironment } from './function-environment.ts';
import { bundlePath, loadBundle } from './load-bundle.ts';
import { readRuntimeOptions, USAGE } from './runtime-options.ts';
import { runSchedule } from './schedule-runner.ts';
import { runSqsEventSource } from './sqs-event-source.ts';
import { parseQueueArn } from './sqs-records.ts';
import { runStreamEventSource } from './stream-event-source.ts';
import { jobsTableStream } from './table-stream.ts';

const log = (fields: Record<string, unknown>) =>
  process.stderr.write(
    `${JSON.stringify({ time: new Date().toISOString(), runtime: 'local', ...fields })}\n`,
  );
const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

if (process.argv.includes('--help')) {
  console.log(USAGE);
  process.exit(0);
}

try {
  const options = readRuntimeOptions(process.argv.slice(2));
  const stack = loadLocalStack();
  // As NODE_OPTIONS=--enable-source-maps does in AWS: stack traces point at the TypeScript.
  process.setSourceMapsEnabled(true);
  const sqs = new SQSClient(localAwsConfig(stack.aws.sqsEndpoint, stack.aws.region));
  const { accountId, region } = parseQueueArn(await queueArn(sqs, stack.aws.queueUrl));
  const stop = new AbortController();
  // The event sources call AWS as their function's role does in AWS (its access key id).
  const asFunction = (name: FunctionName, endpoint = stack.aws.endpoint) =>
    localAwsConfig(endpoint, stack.aws.region, functionAccessKeyId(name));
  const onInvocation = (report: object) => log({ event: 'invocation', ...report });
  const onError = (name: FunctionName) => (error: unknown) =>
    log({ event: 'poller-error', function: name, error: describe(error) });

  /** Each function's event source, started once its bundle is imported. */
  const sources: Record<FunctionName, () => Promise<() => Promise<void>>> = {
    submit: async () => {
      const handler = await loadBundle<SQSEvent>(bundlePath('submit', options.distDir));
      return () =>
        runSqsEventSource({
          sqs: new SQSClient(asFunction('submit', stack.aws.sqsEndpoint)),
          queueUrl: stack.aws.queueUrl,
          handler,
          functionName: 'submit',
          functionTimeoutSeconds: options.submitTimeoutSeconds,
          batchSize: options.batchSize,
          maximumBatchingWindowSeconds: options.batchingWindowSeconds,
          visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
          concurrency: options.concurrency,
          signal: stop.signal,
          onInvocation,
          onError: onError('submit'),
        });
    },
    reconcile: async () => {
      const handler = await loadBundle<ScheduledEvent>(bundlePath('reconcile', options.distDir));
      return () =>
        runSchedule({
          handler,
          function: {
            functionName: 'reconcile',
            timeoutSeconds: options.reconcileTimeoutSeconds,
            region,
            accountId,
          },
          periodSeconds: options.schedulePeriodSeconds,
          firstFiring: options.firstFiring,
          // As in AWS: a firing throttled behind a running invocation (reserved concurrency 1) is
          // retried by Lambda about a second later, not lost.
          whileRunning: 'queue-one',
          signal: stop.signal,
          onInvocation,
          onSkipped: (scheduledTime) =>
            log({ event: 'firing-skipped', function: 'reconcile', scheduledTime }),
        });
    },
    publish: async () => {
      const handler = await loadBundle<DynamoDBStreamEvent>(bundlePath('publish', options.distDir));
      const tableStream = await jobsTableStream(stack, asFunction('publish'));
      return () =>
        runStreamEventSource({
          ...tableStream,
          handler,
          function: {
            functionName: 'publish',
            timeoutSeconds: FUNCTIONS.publish.timeoutSeconds,
            region,
            accountId,
          },
          batchSize: FUNCTIONS.publish.batchSize,
          signal: stop.signal,
          onInvocation,
          onError: onError('publish'),
          onWaiting: (holder) => log({ event: 'stream-leased', function: 'publish', holder }),
        });
    },
  };
  const starts: (() => Promise<void>)[] = [];
  for (const name of options.functions) {
    // Each bundle is imported only once its environment is set: this is its cold start.
    applyFunctionEnvironment(functionEnvironment(stack, options, name));
    starts.push(await sources[name]());
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stop.signal.aborted) process.exit(130); // a second signal: do not wait any longer
      log({ event: 'stopping', signal, note: 'finishing in-flight invocations' });
      stop.abort();
    });
  }
  log({ event: 'started', queueUrl: stack.aws.queueUrl, ...options });
  await Promise.all(starts.map((start) => start()));
  log({ event: 'stopped' });
  // Clients the bundles made (keep-alive sockets, watches) must not keep the process up.
  process.exit(0);
} catch (error) {
  log({ event: 'failed', error: describe(error) });
  process.exit(1);
}
