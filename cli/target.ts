// Where ejr's requests go: a deployed stack (its queue, DLQ and table from the CloudFormation
// outputs, or given as flags), or the local stack (stack.json). One code path after this: the
// commands get the same clients either way, and only the values they need are looked up.
import { CloudFormationClient, DescribeStacksCommand, type Output } from '@aws-sdk/client-cloudformation';
import { SQSClient } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { KubeConfig } from '@kubernetes/client-node';
import { localAwsConfig } from '../infra/local/aws/client-config.ts';
import { type LocalStack, loadLocalStack } from '../infra/local/stack-info.ts';
import { DynamoDbAdmissionStore } from '../shared/adapters/dynamodb/admission-store.ts';
import { createDocumentClient } from '../shared/adapters/dynamodb/client.ts';
import { DynamoDbJobQueries } from '../shared/adapters/dynamodb/job-queries.ts';
import { CliError, usageError } from './exit-codes.ts';

export const DEFAULT_STACK = 'EksJobRunner';

/** The global options that pick the target (flags, or their EJR_* variables). */
export interface TargetOptions {
  local?: boolean;
  stack: string;
  queueUrl?: string;
  dlqUrl?: string;
  table?: string;
  region?: string;
}

export type Resource = 'queueUrl' | 'dlqUrl' | 'tableName';
export type Resources = Partial<Record<Resource, string>>;

/** The outputs of the runner stack (infra/stacks/job-runner-stack.ts) that hold each resource. */
export const STACK_OUTPUTS: Record<Resource, string> = {
  queueUrl: 'QueueUrl',
  dlqUrl: 'DeadLetterQueueUrl',
  tableName: 'TableName',
};

const FLAGS: Record<Resource, string> = {
  queueUrl: '--queue-url',
  dlqUrl: '--dlq-url',
  tableName: '--table',
};

/** The reads ejr makes of the jobs table (docs/queries.md). */
export type JobQueries = Pick<DynamoDbJobQueries, 'getJob' | 'listByOwner' | 'listByState'>;
/** The one SQS method ejr calls; the commands build the commands. */
export type SqsSender = Pick<SQSClient, 'send'>;

export interface Clients {
  /** For messages: `the local stack`, `stack EksJobRunner`. */
  where: string;
  jobs: JobQueries;
  /** The admission usage counters (docs/admission.md). */
  usage: Pick<DynamoDbAdmissionStore, 'usage'>;
  sqs: SqsSender;
  /** The caller's identity (an ARN), for a cancel's requestedBy. */
  whoami(): Promise<string>;
  /** The cluster credentials: the file given, else the local admin's, else the default kubeconfig. */
  kubeConfig(file?: string): KubeConfig;
}

export type Target<N extends Resource> = Clients & Record<N, string>;
export type Connect = <N extends Resource>(needs: readonly N[]) => Promise<Target<N>>;

export const fromFlags = (o: TargetOptions): Resources => ({
  queueUrl: o.queueUrl,
  dlqUrl: o.dlqUrl,
  tableName: o.table,
});

export function fromOutputs(outputs: readonly Output[]): Resources {
  const value = (key: string) => outputs.find((o) => o.OutputKey === key)?.OutputValue;
  return {
    queueUrl: value(STACK_OUTPUTS.queueUrl),
    dlqUrl: value(STACK_OUTPUTS.dlqUrl),
    tableName: value(STACK_OUTPUTS.tableName),
  };
}

export const fromLocalStack = (stack: LocalStack): Resources => ({
  queueUrl: stack.aws.queueUrl,
  dlqUrl: stack.aws.dlqUrl,
  tableName: stack.aws.tableName,
});

/** Flags win over the base (the stack's outputs, stack.json); every need must end up with a value. */
export function settle<N extends Resource>(
  needs: readonly N[],
  flags: Resources,
  base: Resources,
  where: string,
): Resources & Record<N, string> {
  const merged: Resources = { ...base };
  for (const [key, value] of Object.entries(flags) as [Resource, string | undefined][])
    if (value) merged[key] = value;
  const missing = needs.filter((n) => !merged[n]);
  if (missing.length > 0)
    throw usageError(
      `${where} gives no ${missing.map((n) => `${STACK_OUTPUTS[n]} (${FLAGS[n]})`).join(', ')}`,
    );
  return merged as Resources & Record<N, string>;
}

/** Whether the flags alone give every need (then CloudFormation is not asked). */
export const flagsSuffice = (needs: readonly Resource[], flags: Resources): boolean =>
  needs.every((n) => Boolean(flags[n]));

async function stackOutputs(cloudFormation: CloudFormationClient, stackName: string): Promise<Output[]> {
  try {
    const out = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    return out.Stacks?.[0]?.Outputs ?? [];
  } catch (error) {
    if ((error as Error).name === 'ValidationError')
      throw new CliError(
        `stack ${stackName} not found (${(error as Error).message}): pass --stack NAME, --queue-url and --table, or --local`,
      );
    throw error;
  }
}

type AwsConfig = {
  region?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
};

/** `sqs`: the SQS client's settings where they differ (the local stack's SQS is ElasticMQ). */
function clients(
  aws: AwsConfig,
  tableName: string | undefined,
  where: string,
  local?: { adminKubeconfig: string; sqs: AwsConfig },
): Clients {
  const adminKubeconfig = local?.adminKubeconfig;
  const dynamo = createDocumentClient(aws);
  return {
    where,
    jobs: new DynamoDbJobQueries(dynamo, tableName ?? ''),
    usage: new DynamoDbAdmissionStore(dynamo, tableName ?? ''),
    sqs: new SQSClient(local?.sqs ?? aws),
    whoami: async () => {
      const out = await new STSClient(aws).send(new GetCallerIdentityCommand({}));
      if (!out.Arn) throw new CliError('GetCallerIdentity returned no ARN: pass --requested-by');
      return out.Arn;
    },
    kubeConfig: (file) => {
      const kc = new KubeConfig();
      const path = file ?? adminKubeconfig;
      if (path) kc.loadFromFile(path);
      else kc.loadFromDefault();
      return kc;
    },
  };
}

/**
 * The real connector. Locally: stack.json and dummy credentials (a developer's real ones are never
 * sent to moto or ElasticMQ), SQS on the stack's SQS endpoint, the rest on moto. Deployed: the AWS
 * SDK's credential and region chain, `--region` over it.
 */
export function connector(options: TargetOptions): Connect {
  return async <N extends Resource>(needs: readonly N[]) => {
    const flags = fromFlags(options);
    if (options.local) {
      const stack = loadLocalStack();
      const values = settle(needs, flags, fromLocalStack(stack), 'the local stack');
      const region = options.region ?? stack.aws.region;
      const aws = localAwsConfig(stack.aws.endpoint, region);
      const local = {
        adminKubeconfig: stack.adminKubeconfig,
        sqs: localAwsConfig(stack.aws.sqsEndpoint, region),
      };
      return { ...clients(aws, values.tableName, 'the local stack', local), ...values };
    }
    const aws: AwsConfig = options.region ? { region: options.region } : {};
    const where = `stack ${options.stack}`;
    const base = flagsSuffice(needs, flags)
      ? {}
      : fromOutputs(await stackOutputs(new CloudFormationClient(aws), options.stack));
    const values = settle(needs, flags, base, where);
    return { ...clients(aws, values.tableName, where), ...values };
  };
}
