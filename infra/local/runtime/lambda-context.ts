import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

export interface FunctionSettings {
  functionName: string;
  /** The function's configured timeout: getRemainingTimeInMillis counts down from it. */
  timeoutSeconds: number;
  region: string;
  accountId: string;
  memoryMb?: number;
}

/** A Lambda-like invocation context; its deadline starts now. */
export function createLambdaContext(settings: FunctionSettings, now: () => number = Date.now): Context {
  const deadline = now() + settings.timeoutSeconds * 1000;
  const unsupported = (name: string) => () => {
    // The nodejs24.x runtime only runs async handlers: the callback-era methods are gone.
    throw new Error(`context.${name}() is not supported by the nodejs24.x runtime: return or throw instead`);
  };
  const day = new Date(now()).toISOString().slice(0, 10).replaceAll('-', '/');
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: settings.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${settings.region}:${settings.accountId}:function:${settings.functionName}`,
    memoryLimitInMB: String(settings.memoryMb ?? 1024),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${settings.functionName}`,
    logStreamName: `${day}/[$LATEST]local`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
}
