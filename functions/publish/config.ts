import { required } from '../../shared/runtime/settings.ts';

/** What the publish function reads from its environment (docs/events.md). */
export interface PublishSettings {
  eventBusName: string;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): PublishSettings {
  return { eventBusName: required(env, 'EVENT_BUS_NAME') };
}
