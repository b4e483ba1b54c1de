import {
  CreateEventBusCommand,
  DescribeEventBusCommand,
  type EventBridgeClient,
} from '@aws-sdk/client-eventbridge';

/** The bus the reconciler publishes job state changes to. */
export async function ensureEventBus(eventBridge: EventBridgeClient, name: string): Promise<string> {
  try {
    const { Arn } = await eventBridge.send(new DescribeEventBusCommand({ Name: name }));
    if (Arn) return Arn;
  } catch (error) {
    if (!(error instanceof Error && error.name === 'ResourceNotFoundException')) throw error;
  }
  try {
    const { EventBusArn } = await eventBridge.send(new CreateEventBusCommand({ Name: name }));
    if (EventBusArn) return EventBusArn;
  } catch (error) {
    if (!(error instanceof Error && error.name === 'ResourceAlreadyExistsException')) throw error;
  }
  const { Arn } = await eventBridge.send(new DescribeEventBusCommand({ Name: name }));
  if (!Arn) throw new Error(`event bus ${name} has no ARN`);
  return Arn;
}
