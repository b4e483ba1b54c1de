/**
 * The functions' IAM policies exactly as CDK synthesizes them, with every CloudFormation token
 * resolved to the ARN the resource has on the local stack, so that the calls the functions make
 * there can be evaluated under them (evaluate.ts). A token it cannot resolve throws: a policy
 * evaluated with a guess would prove nothing.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../../../infra/bin/build-app.ts';
import { PROJECT_ROOT } from '../../../infra/constructs/project-root.ts';
import { FUNCTIONS } from '../../../shared/resources.ts';
import type { PolicyDocument, PolicyStatement } from './evaluate.ts';

export type FunctionName = 'submit' | 'reconcile' | 'publish';

export interface LocalNames {
  tableName: string;
  queueName: string;
  dlqName: string;
  eventBusName: string;
  /** Needed for publish's policy (its event source mapping's failure destination). */
  publishFailuresQueueName?: string;
}

export interface FunctionPolicyOptions {
  region: string;
  account: string;
  names: LocalNames;
  /** The table's stream on the local stack (its label is a timestamp, unknown to the template). */
  streamArn: string;
  clusterName: string;
}

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation template fragments have no static shape
type Cfn = any;

export function functionPolicies(options: FunctionPolicyOptions): Record<FunctionName, PolicyDocument> {
  const template = synthesizedTemplate(options);
  const resolve = resolver(template, options);
  const policyOf = (name: FunctionName): PolicyDocument => ({
    Version: '2012-10-17',
    Statement: roleStatements(template, functionId(template, name)).map(
      (statement) => resolve(statement) as PolicyStatement,
    ),
  });
  return { submit: policyOf('submit'), reconcile: policyOf('reconcile'), publish: policyOf('publish') };
}

/** The runner stack's template, synthesized as `cdk synth` does, for the local region and account. */
function synthesizedTemplate(options: FunctionPolicyOptions): Cfn {
  const context = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context;
  const outdir = mkdtempSync(join(tmpdir(), 'eks-job-runner-iam-'));
  try {
    const app = new App({
      outdir,
      builtinCloudFormationValidation: false,
      context: {
        ...context,
        // Neither changes a policy: nag only reads the template, bundling only builds the code.
        nag: 'false',
        'aws:cdk:bundling-stacks': [],
        region: options.region,
        account: options.account,
        clusterName: options.clusterName,
      },
    });
    const { runner } = buildApp(app);
    return app.synth().getStackByName(runner.stackName).template;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function resourcesOfType(template: Cfn, type: string): [string, Cfn][] {
  return Object.entries(template.Resources as Record<string, Cfn>).filter(
    ([, resource]) => resource.Type === type,
  );
}

/** The function is the one with its POWERTOOLS_SERVICE_NAME, as each handler reports itself. */
function functionId(template: Cfn, name: FunctionName): string {
  const service = FUNCTIONS[name].serviceName;
  const ids = resourcesOfType(template, 'AWS::Lambda::Function')
    .filter(([, fn]) => fn.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === service)
    .map(([id]) => id);
  if (ids.length !== 1) throw new Error(`expected one function with service ${service}, found ${ids.length}`);
  return ids[0] as string;
}

/** The statements of every AWS::IAM::Policy on the function's role, which must have no other policy. */
function roleStatements(template: Cfn, fnId: string): Cfn[] {
  const roleId = template.Resources[fnId].Properties.Role?.['Fn::GetAtt']?.[0];
  const role = template.Resources[roleId];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`function ${fnId} has no role of this stack`);
  if (role.Properties.ManagedPolicyArns || role.Properties.Policies) {
    throw new Error(`role ${roleId} has managed or inline policies, which are not evaluated here`);
  }
  return resourcesOfType(template, 'AWS::IAM::Policy')
    .filter(([, policy]) => policy.Properties.Roles.some((ref: Cfn) => ref.Ref === roleId))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement);
}

/** A resource's local name and, by attribute, its local ARN. */
interface LocalResource {
  name: string;
  attributes: Record<string, string>;
}

/**
 * Resolves Ref (pseudo parameters and the resources below), Fn::Join and Fn::GetAtt, anywhere
 * in a template fragment. Each resource is known by its type and its role in the stack.
 */
function resolver(template: Cfn, options: FunctionPolicyOptions): (value: unknown) => unknown {
  const { region, account, names } = options;
  const locals = new Map<string, LocalResource>();
  const only = (type: string): string => {
    const ids = resourcesOfType(template, type);
    if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}`);
    return (ids[0] as [string, Cfn])[0];
  };
  const queue = (name: string) => ({ name, attributes: { Arn: `arn:aws:sqs:${region}:${account}:${name}` } });

  const tableId = only('AWS::DynamoDB::Table');
  locals.set(tableId, {
    name: names.tableName,
    attributes: {
      Arn: `arn:aws:dynamodb:${region}:${account}:table/${names.tableName}`,
      StreamArn: options.streamArn,
    },
  });
  const busId = only('AWS::Events::EventBus');
  locals.set(busId, {
    name: names.eventBusName,
    attributes: { Arn: `arn:aws:events:${region}:${account}:event-bus/${names.eventBusName}` },
  });
  // The jobs queue is the one with a redrive policy; its DLQ is that policy's target.
  const [jobsId, jobs] = resourcesOfType(template, 'AWS::SQS::Queue').find(
    ([, q]) => q.Properties.RedrivePolicy,
  ) ?? [undefined, undefined];
  if (!jobsId) throw new Error('no queue with a redrive policy (the jobs queue)');
  locals.set(jobsId, queue(names.queueName));
  locals.set(jobs.Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0], queue(names.dlqName));
  // The publish failures queue is the failure destination of the table stream's event source mapping.
  if (names.publishFailuresQueueName) {
    const mapping = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping')
      .map(([, m]) => m.Properties)
      .find((m) => m.EventSourceArn?.['Fn::GetAtt']?.[0] === tableId);
    const failuresId = mapping?.DestinationConfig?.OnFailure?.Destination?.['Fn::GetAtt']?.[0];
    if (!failuresId) throw new Error('no failure destination on the table stream’s event source mapping');
    locals.set(failuresId, queue(names.publishFailuresQueueName));
  }
  // Log groups have no local counterpart; each function's is named after it, as Lambda's default.
  for (const [, fn] of resourcesOfType(template, 'AWS::Lambda::Function')) {
    const logGroupId = fn.Properties.LoggingConfig?.LogGroup?.Ref;
    const service = fn.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME;
    if (!logGroupId || !service) continue;
    const name = `/aws/lambda/${service}`;
    locals.set(logGroupId, {
      name,
      attributes: { Arn: `arn:aws:logs:${region}:${account}:log-group:${name}:*` },
    });
  }

  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': region,
    'AWS::AccountId': account,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const local = (id: string): LocalResource => {
    const known = locals.get(id);
    if (!known)
      throw new Error(`no local name for ${id} (${template.Resources[id]?.Type ?? 'not a resource'})`);
    return known;
  };
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (!value || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    const [key, argument] = (entries[0] ?? []) as [string, Cfn];
    if (entries.length === 1 && (key === 'Ref' || key.startsWith('Fn::'))) {
      if (key === 'Ref') return pseudo[argument] ?? local(argument).name;
      if (key === 'Fn::Join') return (resolve(argument[1]) as unknown[]).map(literal).join(argument[0]);
      if (key === 'Fn::GetAtt') {
        const [id, attribute] = argument as [string, string];
        const arn = local(id).attributes[attribute];
        if (!arn) throw new Error(`no local value for ${id}.${attribute}`);
        return arn;
      }
      throw new Error(`unresolved token ${JSON.stringify(value)}`);
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v)]));
  };
  return resolve;
}

function literal(value: unknown): string {
  if (typeof value !== 'string') throw new Error(`unresolved token ${JSON.stringify(value)}`);
  return value;
}
