import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { publishChanges } from '../../functions/publish/publish.ts';
import { DUMMY_CREDENTIALS } from '../../infra/local/aws/client-config.ts';
import { runStreamEventSource } from '../../infra/local/runtime/stream-event-source.ts';
import { jobsTableStream } from '../../infra/local/runtime/table-stream.ts';
import { EventBridgePublisher } from '../../shared/adapters/eventbridge/publisher.ts';
import { FUNCTIONS } from '../../shared/resources.ts';
import { silentLog } from '../unit/fakes/bus.ts';
import { loadLocalStack } from './local-stack.ts';

/**
 * The publish function on the jobs table's stream, in this process: for tests that run the other
 * functions in-process and read the events they cause. It takes the stream's lease (so a local
 * runtime started meanwhile waits) and resumes from the stack's checkpoint, as the runtime does.
 */
export async function startStreamPublisher(): Promise<{ stop(): Promise<void> }> {
  const stack = loadLocalStack();
  const tableStream = await jobsTableStream(stack);
  const events = new EventBridgeClient({
    endpoint: stack.aws.endpoint,
    region: stack.aws.region,
    credentials: { ...DUMMY_CREDENTIALS },
  });
  const deps = {
    publisher: new EventBridgePublisher(events, stack.aws.eventBusName),
    log: silentLog,
    count: () => {},
  };
  const stop = new AbortController();
  const errors: unknown[] = [];
  const running = runStreamEventSource({
    ...tableStream,
    handler: (event: DynamoDBStreamEvent) =>
      publishChanges(deps, event.Records, { deadline: Date.now() + FUNCTIONS.publish.timeoutSeconds * 1000 }),
    function: {
      functionName: 'publish',
      timeoutSeconds: FUNCTIONS.publish.timeoutSeconds,
      region: stack.aws.region,
      accountId: '123456789012',
    },
    batchSize: FUNCTIONS.publish.batchSize,
    signal: stop.signal,
    onError: (error) => errors.push(error),
  });
  return {
    async stop() {
      stop.abort();
      await running;
      tableStream.streams.destroy();
      events.destroy();
      if (errors.length > 0) throw new Error(`the stream publisher failed: ${String(errors[0])}`);
    },
  };
}
