import { actionTable } from '../action-table.ts';
import type { EventBridgePublisher } from './publisher.ts';

/** The EventBridge actions of the publisher's methods, on the runner's bus. */
export const EVENTBRIDGE_ACTIONS = {
  EventBridgePublisher: actionTable<EventBridgePublisher>()({
    publish: ['events:PutEvents'],
  }),
};
