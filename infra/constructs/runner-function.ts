import { join } from 'node:path';
import { type Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { aliasPaths } from '../build-bundle.ts';
import { BUNDLING, type FunctionName, functionEntry } from '../bundling.ts';
import { PROJECT_ROOT } from './project-root.ts';

export interface VpcPlacement {
  vpc: ec2.IVpc;
  subnets: ec2.ISubnet[];
  securityGroups?: ec2.ISecurityGroup[];
}

export interface RunnerFunctionProps {
  name: FunctionName;
  timeout: Duration;
  memorySize: number;
  environment: Record<string, string>;
  reservedConcurrentExecutions?: number;
  /** Needed when the cluster endpoint is private. */
  placement?: VpcPlacement;
  logRetention: logs.RetentionDays;
  /**
   * An ADOT (OpenTelemetry) Lambda layer for the function's architecture: its SDK records the spans
   * the code opens and sends them to X-Ray (docs/deploy.md, "Tracing"). Without it, active tracing
   * alone: the invocation's segments, none of the code's spans.
   */
  adotLayerArn?: string;
}

/**
 * The start script (AWS_LAMBDA_EXEC_WRAPPER) of an ADOT layer, from its name: /opt/otel-instrument
 * for the AWS Distro for OpenTelemetry layers without a collector (AWSOpenTelemetryDistroJs), else
 * /opt/otel-handler, the script of the layers with a collector (aws-otel-nodejs-<arch>-ver-*, and
 * OpenTelemetry's own opentelemetry-nodejs-*). Refuses an ARN that is no layer version, an x86 one
 * (the functions are arm64) and one of another region than the stack's (layers are regional).
 */
export function adotExecWrapper(layerArn: string, stackRegion?: string): string {
  const match = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):\d{12}:layer:([A-Za-z0-9_-]+):\d+$/.exec(layerArn);
  if (!match) throw new Error(`adotLayerArn is not a layer version ARN: "${layerArn}"`);
  const [, region = '', name = ''] = match;
  if (/amd64|x86/i.test(name)) throw new Error(`adotLayerArn: the functions are arm64, not "${name}"`);
  if (stackRegion && !Token.isUnresolved(stackRegion) && region !== stackRegion)
    throw new Error(`adotLayerArn is in ${region}, the stack in ${stackRegion}: layers are regional`);
  return name.startsWith('AWSOpenTelemetryDistro') ? '/opt/otel-instrument' : '/opt/otel-handler';
}

/**
 * One of the runner's Lambda functions: the esbuild bundle of functions/<name>/handler.ts
 * with the settings of infra/bundling.ts (the bundle scripts/build-bundles.ts runs locally),
 * its own role and its own log group, so that every permission it has is granted explicitly.
 */
export class RunnerFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: RunnerFunctionProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `eks-job-runner ${props.name} function`,
    });
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    logGroup.grantWrite(this.role);
    const wrapper = props.adotLayerArn && adotExecWrapper(props.adotLayerArn, Stack.of(this).region);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: join(PROJECT_ROOT, functionEntry(props.name)),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySize,
      role: this.role,
      logGroup,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      // X-Ray records each invocation; the ADOT layer, when given, adds the code's spans to it.
      tracing: lambda.Tracing.ACTIVE,
      layers: props.adotLayerArn
        ? [lambda.LayerVersion.fromLayerVersionArn(this, 'AdotLayer', props.adotLayerArn)]
        : undefined,
      environment: {
        ...props.environment,
        // The bundle ships a source map; stack traces in the logs point at the TypeScript.
        NODE_OPTIONS: '--enable-source-maps',
        ...(wrapper && { AWS_LAMBDA_EXEC_WRAPPER: wrapper }),
      },
      vpc: props.placement?.vpc,
      vpcSubnets: props.placement ? { subnets: props.placement.subnets } : undefined,
      securityGroups: props.placement?.securityGroups,
      bundling: {
        // Local esbuild, never Docker: synth works offline and on machines without Docker.
        forceDockerBundling: false,
        format: BUNDLING.format === 'esm' ? nodejs.OutputFormat.ESM : nodejs.OutputFormat.CJS,
        target: BUNDLING.target,
        minify: BUNDLING.minify,
        sourceMap: BUNDLING.sourcemap,
        sourcesContent: BUNDLING.sourcesContent,
        banner: BUNDLING.banner,
        mainFields: [...BUNDLING.mainFields],
        externalModules: [...BUNDLING.external],
        bundleAwsSDK: true,
        // NodejsFunction has no alias option: esbuild's own flag, once per module.
        esbuildArgs: {
          '--alias': Object.entries(aliasPaths()).map(([name, file]) => `${name}=${file}`),
        },
      },
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which IAM only grants on "*" ' +
        '(X-Ray has no resource type for them); CDK adds exactly these two with Tracing.ACTIVE.',
    });
    if (props.placement) {
      // The ENI actions Lambda needs to attach to subnets; they take no resource ARN.
      this.role.addManagedPolicy(
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'),
      );
    }
  }
}
