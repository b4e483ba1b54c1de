/**
 * A recording HTTP proxy between the functions and the local AWS (moto, and ElasticMQ for SQS:
 * `routes` sends a service, by its SigV4 signing name, elsewhere): every request is forwarded unchanged
 * (body byte for byte, headers but the hop-by-hop ones) and its answer streamed back, and each
 * request is recorded as the IAM checks it needs, by the access key that signed it. Point a
 * function's AWS endpoint at `endpoint`, then evaluate `calls` (evaluate.ts).
 */
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import {
  handsOutIterators,
  type IamCheck,
  iamChecks,
  LOCAL_ACCOUNT,
  learnIterators,
  type Operation,
  operationOf,
  type ShardIterators,
  signatureOf,
  type WireRequest,
} from './request-actions.ts';

export interface RecordedCall {
  /** The key that signed the request: which function (or test) made it. */
  accessKeyId: string | undefined;
  /** IAM service prefix: `dynamodb`, `sqs`, `events`, `cloudwatch`, `eks`, `sts`. */
  service: string;
  /** As IAM names it: `dynamodb:PutItem`. */
  action: string;
  /** The ARNs IAM evaluates the action on; empty for an action IAM evaluates on "*" only. */
  resources: string[];
  /** The HTTP status moto answered with (an authorization precedes any answer, so every call counts). */
  status: number;
  /** The request as sent, for messages: `POST DynamoDB_20120810.TransactWriteItems`. */
  operation: string;
  /** Set when the request could not be mapped to IAM checks: such a call proves nothing. */
  unmapped?: true;
  /** Why it could not be mapped. */
  reason?: string;
}

export interface RecordingProxy {
  endpoint: string;
  /** Every call so far, in the order their answers completed; clear with `calls.length = 0`. */
  calls: RecordedCall[];
  stop(): Promise<void>;
}

/** Connection-scoped headers: each side of the proxy has its own connection. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'expect', 'upgrade']);

/**
 * Told once per request: its first recorded call, with the request and answer bodies as JSON (the
 * request undefined when not JSON), for counting (test/bench/cost-counts.ts).
 */
export type OnCall = (
  call: RecordedCall,
  exchange: { request: Record<string, unknown> | undefined; response: Record<string, unknown> },
) => void;

export async function startRecordingProxy(
  target: string,
  routes: Record<string, string> = {},
  options: { onCall?: OnCall } = {},
): Promise<RecordingProxy> {
  const upstreams = new Map<string | undefined, URL>();
  for (const [service, url] of [[undefined, target] as const, ...Object.entries(routes)]) {
    const upstream = new URL(url);
    if (upstream.protocol !== 'http:') throw new Error(`the proxy forwards to http only, not ${url}`);
    upstreams.set(service, upstream);
  }
  const agent = new Agent({ keepAlive: true });
  const calls: RecordedCall[] = [];
  const iterators: ShardIterators = new Map();

  const server = createServer((request, response) => {
    forward(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(502).end(String(error));
      else response.destroy(error as Error);
    });
  });

  async function forward(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    const wire: WireRequest = {
      method: request.method ?? 'GET',
      url: request.url ?? '/',
      headers: request.headers,
      body,
    };
    const mapped = map(wire, iterators);
    const upstream = upstreams.get(signatureOf(wire)?.signingName) ?? (upstreams.get(undefined) as URL);
    // A request moto never answered was still made, and would have been authorized: 502.
    let answered: Record<string, unknown> = {};
    const record = (status: number) => {
      const recorded = mapped.calls.map((call) => ({ ...call, status }));
      calls.push(...recorded);
      // once per request (a request may need several IAM checks)
      if (options.onCall && recorded[0])
        options.onCall(recorded[0], { request: requestJson(body), response: answered });
    };
    const answer = await new Promise<IncomingMessage>((done, fail) => {
      const out = httpRequest(
        {
          hostname: upstream.hostname,
          port: upstream.port,
          method: wire.method,
          path: wire.url,
          // The Host header goes unchanged, so that moto's queue URLs point back at the proxy.
          headers: withoutHopByHop(request.rawHeaders),
          agent,
        },
        done,
      );
      out.once('error', (error) => {
        record(502);
        fail(error);
      });
      out.end(body);
    });
    response.writeHead(answer.statusCode ?? 502, answer.statusMessage, withoutHopByHop(answer.rawHeaders));
    const learning = mapped.learn || options.onCall ? ([] as Buffer[]) : undefined;
    for await (const chunk of answer as AsyncIterable<Buffer>) {
      learning?.push(chunk);
      if (!response.write(chunk)) await new Promise((resume) => response.once('drain', resume));
    }
    if (learning) answered = responseJson(answer, Buffer.concat(learning));
    if (mapped.learn) mapped.learn(answered);
    // Recorded before the client sees the end, so a test that awaited the call finds it here.
    record(answer.statusCode ?? 0);
    response.end();
  }

  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((closed) => server.close(() => closed()));
      agent.destroy();
    },
  };
}

type Unrecorded = Omit<RecordedCall, 'status'>;

/** The calls a request makes, and for a stream read, how to learn the iterators it returns. */
function map(
  wire: WireRequest,
  iterators: ShardIterators,
): { calls: Unrecorded[]; learn?: (response: Record<string, unknown>) => void } {
  const signature = signatureOf(wire);
  const sent = `${wire.method} ${wire.headers['x-amz-target'] ?? wire.url}`;
  const unmapped = (service: string, reason: string): { calls: Unrecorded[] } => ({
    calls: [
      {
        accessKeyId: signature?.accessKeyId,
        service,
        action: '',
        resources: [],
        operation: sent,
        unmapped: true,
        reason,
      },
    ],
  });
  if (!signature) return unmapped('', 'the request is not SigV4-signed');
  let operation: Operation;
  let checks: IamCheck[];
  try {
    operation = operationOf(wire, signature);
    checks = iamChecks(operation, { region: signature.region, account: LOCAL_ACCOUNT }, iterators);
  } catch (error) {
    return unmapped(signature.signingName, (error as Error).message);
  }
  const calls = checks.map((check) => ({
    accessKeyId: signature.accessKeyId,
    service: operation.service,
    action: check.action,
    resources: check.resources,
    operation: sent,
  }));
  const streamArn = checks[0]?.resources[0];
  if (!handsOutIterators(operation) || !streamArn) return { calls };
  return { calls, learn: (response) => learnIterators(response, streamArn, iterators) };
}

function withoutHopByHop(raw: string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (!HOP_BY_HOP.has(String(raw[i]).toLowerCase())) kept.push(String(raw[i]), String(raw[i + 1]));
  }
  return kept;
}

function requestJson(body: Buffer): Record<string, unknown> | undefined {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function responseJson(answer: IncomingMessage, body: Buffer): Record<string, unknown> {
  try {
    const text = String(answer.headers['content-encoding'] ?? '').includes('gzip') ? gunzipSync(body) : body;
    return JSON.parse(text.toString('utf8'));
  } catch {
    return {};
  }
}
