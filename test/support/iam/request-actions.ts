/**
 * What IAM authorizes for one AWS API request: the request (as it crossed the wire) mapped to
 * its IAM actions and the resource ARNs each is evaluated on. Only the operations below are
 * known; any other throws `UnmappedOperation`, so that a call nobody thought about fails the
 * test instead of passing unchecked.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';

/** moto's default account, which every moto resource ARN has. */
export const LOCAL_ACCOUNT = '123456789012';

export interface WireRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** What a request was signed as: `Credential=<key>/<date>/<region>/<service>/aws4_request`. */
export interface Signature {
  accessKeyId: string;
  region: string;
  /** The SigV4 signing name: `dynamodb`, `monitoring`, … */
  signingName: string;
}

/** One IAM authorization a request needs. */
export interface IamCheck {
  /** As IAM names it: `dynamodb:PutItem`. */
  action: string;
  /** The ARNs it is evaluated on; empty for an action IAM only evaluates on "*". */
  resources: string[];
}

/** The operation as the client sent it, before the IAM mapping. */
export interface Operation {
  /** IAM service prefix: `dynamodb` for both DynamoDB and its streams, `cloudwatch` for monitoring. */
  service: string;
  /** The API operation name: `TransactWriteItems`, `DescribeCluster`. */
  name: string;
  /** The JSON body, or the query protocol's parameters, or the REST path's parameters. */
  params: Params;
}

// biome-ignore lint/suspicious/noExplicitAny: request bodies of many operations, read field by field
type Params = Record<string, any>;

export class UnmappedOperation extends Error {}

const IAM_PREFIX: Record<string, string> = {
  dynamodb: 'dynamodb',
  'streams.dynamodb': 'dynamodb',
  sqs: 'sqs',
  events: 'events',
  monitoring: 'cloudwatch',
  eks: 'eks',
  sts: 'sts',
};

export function signatureOf(request: WireRequest): Signature | undefined {
  const authorization = String(request.headers.authorization ?? '');
  // Presigned URLs carry the same scope in X-Amz-Credential.
  const credential =
    /Credential=([^,\s]+)/.exec(authorization)?.[1] ??
    new URL(request.url, 'http://x').searchParams.get('X-Amz-Credential') ??
    undefined;
  const [accessKeyId, , region, signingName] = credential?.split('/') ?? [];
  if (!accessKeyId || !region || !signingName) return undefined;
  return { accessKeyId, region, signingName };
}

export function operationOf(request: WireRequest, signature: Signature): Operation {
  const service = IAM_PREFIX[signature.signingName];
  if (!service) throw new UnmappedOperation(`no IAM service known for signing name ${signature.signingName}`);
  const url = new URL(request.url, 'http://x');
  const body = decoded(request);
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string') {
    // JSON protocols: `DynamoDB_20120810.PutItem`, `AmazonSQS.ReceiveMessage`, `AWSEvents.PutEvents`.
    return { service, name: target.slice(target.lastIndexOf('.') + 1), params: json(body) };
  }
  // Smithy RPC v2 CBOR (CloudWatch's newer clients): the operation is in the path; the CBOR body
  // is not decoded, so only operations that need no parameters map.
  const rpc = /\/service\/[^/]+\/operation\/([^/?]+)$/.exec(url.pathname);
  if (rpc?.[1]) return { service, name: rpc[1], params: {} };
  const form = new URLSearchParams(
    String(request.headers['content-type'] ?? '').includes('x-www-form-urlencoded') ? body.toString() : '',
  );
  const action = form.get('Action') ?? url.searchParams.get('Action');
  if (action) {
    const params = Object.fromEntries([...url.searchParams, ...form]);
    return { service, name: action, params };
  }
  if (service === 'eks') return eksOperation(request.method, url.pathname, body);
  throw new UnmappedOperation(`no operation found in ${request.method} ${url.pathname}`);
}

/** EKS is REST: the operation is the method and path. */
function eksOperation(method: string, path: string, body: Buffer): Operation {
  const cluster = /^\/clusters\/([^/]+)$/.exec(path)?.[1];
  const route =
    path === '/clusters'
      ? { GET: 'ListClusters', POST: 'CreateCluster' }[method]
      : cluster && { GET: 'DescribeCluster', DELETE: 'DeleteCluster' }[method];
  if (!route) throw new UnmappedOperation(`no EKS operation for ${method} ${path}`);
  const name = cluster ? decodeURIComponent(cluster) : json(body).name;
  return { service: 'eks', name: route, params: { name } };
}

/** The body as the service reads it: the SDK gzips some request bodies (PutMetricData's). */
function decoded(request: WireRequest): Buffer {
  const encoding = String(request.headers['content-encoding'] ?? '');
  return encoding.includes('gzip') ? gunzipSync(request.body) : request.body;
}

function json(body: Buffer): Params {
  return body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
}

interface Scope {
  region: string;
  account: string;
}

/** Remembers which stream each shard iterator reads, since GetRecords names only the iterator. */
export type ShardIterators = Map<string, string>;

/**
 * The IAM checks of an operation. Most are one action on the operation's resources; a
 * transaction is authorized item by item, as the item's own action on its table.
 */
export function iamChecks(operation: Operation, scope: Scope, iterators: ShardIterators): IamCheck[] {
  const { service, name, params } = operation;
  if (service === 'dynamodb' && (name === 'TransactWriteItems' || name === 'TransactGetItems')) {
    return (params.TransactItems as Params[]).map((item) => {
      const [kind, body] = Object.entries(item)[0] as [string, Params];
      const action = TRANSACT_ACTION[kind];
      if (!action) throw new UnmappedOperation(`no IAM action for a transaction's ${kind} item`);
      return { action: `dynamodb:${action}`, resources: [tableArn(body.TableName, scope)] };
    });
  }
  const key = `${service}:${name}`;
  const mapping = RESOURCES[key];
  if (!mapping) throw new UnmappedOperation(`no IAM mapping for ${key}`);
  const action = `${service}:${ACTION_OF[key] ?? name}`;
  return [{ action, resources: [...new Set(mapping(params, scope, iterators))] }];
}

const TRANSACT_ACTION: Record<string, string> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
  Get: 'GetItem',
};

/** Operations whose IAM action has another name: the batch ones are authorized as their single form. */
const ACTION_OF: Record<string, string> = {
  'sqs:SendMessageBatch': 'SendMessage',
  'sqs:DeleteMessageBatch': 'DeleteMessage',
  'sqs:ChangeMessageVisibilityBatch': 'ChangeMessageVisibility',
};

type Resources = (params: Params, scope: Scope, iterators: ShardIterators) => string[];

const none: Resources = () => [];
const table: Resources = (p, s) => [tableArn(p.TableName, s)];
/** A Query or Scan of an index is authorized on the index, not the table. */
const tableOrIndex: Resources = (p, s) => [
  p.IndexName ? `${tableArn(p.TableName, s)}/index/${p.IndexName}` : tableArn(p.TableName, s),
];
const requestItems: Resources = (p, s) => Object.keys(p.RequestItems).map((name) => tableArn(name, s));
const stream: Resources = (p) => [required(p.StreamArn, 'StreamArn')];
const iterator: Resources = (p, _s, iterators) => {
  const arn = iterators.get(p.ShardIterator);
  if (!arn) throw new UnmappedOperation('GetRecords with a shard iterator this proxy never handed out');
  return [arn];
};
const queueUrl: Resources = (p, s) => {
  // `http://host/<account>/<name>`: the queue's own account, moto's when the URL has none.
  const [account, name] = new URL(required(p.QueueUrl, 'QueueUrl')).pathname.split('/').slice(-2);
  return [`arn:aws:sqs:${s.region}:${/^\d{12}$/.test(account ?? '') ? account : s.account}:${name}`];
};
const queueName: Resources = (p, s) => [
  `arn:aws:sqs:${s.region}:${s.account}:${required(p.QueueName, 'QueueName')}`,
];
const entryBuses: Resources = (p, s) =>
  (p.Entries as Params[]).map((entry) => busArn(entry.EventBusName ?? 'default', s));
const bus: Resources = (p, s) => [busArn(p.Name ?? 'default', s)];
const cluster: Resources = (p, s) => [
  `arn:aws:eks:${s.region}:${s.account}:cluster/${required(p.name, 'name')}`,
];
const role: Resources = (p) => [required(p.RoleArn, 'RoleArn')];

const RESOURCES: Record<string, Resources> = {
  'dynamodb:GetItem': table,
  'dynamodb:PutItem': table,
  'dynamodb:UpdateItem': table,
  'dynamodb:DeleteItem': table,
  'dynamodb:DescribeTable': table,
  'dynamodb:CreateTable': table,
  'dynamodb:DeleteTable': table,
  'dynamodb:UpdateTable': table,
  'dynamodb:DescribeTimeToLive': table,
  'dynamodb:UpdateTimeToLive': table,
  'dynamodb:Query': tableOrIndex,
  'dynamodb:Scan': tableOrIndex,
  'dynamodb:BatchGetItem': requestItems,
  'dynamodb:BatchWriteItem': requestItems,
  'dynamodb:ListTables': none,
  'dynamodb:ListStreams': none,
  'dynamodb:DescribeStream': stream,
  'dynamodb:GetShardIterator': stream,
  'dynamodb:GetRecords': iterator,
  'sqs:SendMessage': queueUrl,
  'sqs:SendMessageBatch': queueUrl,
  'sqs:ReceiveMessage': queueUrl,
  'sqs:DeleteMessage': queueUrl,
  'sqs:DeleteMessageBatch': queueUrl,
  'sqs:ChangeMessageVisibility': queueUrl,
  'sqs:ChangeMessageVisibilityBatch': queueUrl,
  'sqs:GetQueueAttributes': queueUrl,
  'sqs:SetQueueAttributes': queueUrl,
  'sqs:PurgeQueue': queueUrl,
  'sqs:DeleteQueue': queueUrl,
  'sqs:GetQueueUrl': queueName,
  'sqs:CreateQueue': queueName,
  'sqs:ListQueues': none,
  'events:PutEvents': entryBuses,
  'events:DescribeEventBus': bus,
  'events:CreateEventBus': bus,
  'events:DeleteEventBus': bus,
  'events:ListEventBuses': none,
  'cloudwatch:PutMetricData': none,
  'cloudwatch:GetMetricData': none,
  'cloudwatch:GetMetricStatistics': none,
  'cloudwatch:ListMetrics': none,
  'eks:DescribeCluster': cluster,
  'eks:CreateCluster': cluster,
  'eks:DeleteCluster': cluster,
  'eks:ListClusters': none,
  'sts:GetCallerIdentity': none,
  'sts:AssumeRole': role,
};

/** Whether the operation's answer hands out shard iterators (GetShardIterator, GetRecords). */
export function handsOutIterators(operation: Operation): boolean {
  return operation.service === 'dynamodb' && ['GetShardIterator', 'GetRecords'].includes(operation.name);
}

/** Remembers the iterator an answer hands out as reading the stream its request read. */
export function learnIterators(response: Params, streamArn: string, iterators: ShardIterators): void {
  const next = response.ShardIterator ?? response.NextShardIterator;
  if (typeof next === 'string') iterators.set(next, streamArn);
}

/** TableName may be a name or, since 2024, the table's ARN. */
function tableArn(name: unknown, scope: Scope): string {
  const table = required(name, 'TableName');
  return table.startsWith('arn:')
    ? table
    : `arn:aws:dynamodb:${scope.region}:${scope.account}:table/${table}`;
}

/** EventBusName may be a name or an ARN. */
function busArn(name: string, scope: Scope): string {
  return name.startsWith('arn:') ? name : `arn:aws:events:${scope.region}:${scope.account}:event-bus/${name}`;
}

function required(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw new UnmappedOperation(`no ${field} in the request`);
  return value;
}
