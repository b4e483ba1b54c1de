// The `ejr` program: global options (the target, the output format), one module per command, and
// the mapping of whatever ends a run to an exit code (cli/exit-codes.ts).
import { Command, CommanderError, Option } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import { registerCancel } from './commands/cancel.ts';
import { registerDlq } from './commands/dlq.ts';
import { registerGet } from './commands/get.ts';
import { registerList } from './commands/list.ts';
import { registerLogs } from './commands/logs.ts';
import { registerSubmit } from './commands/submit.ts';
import { registerUsage } from './commands/usage.ts';
import { registerWait } from './commands/wait.ts';
import { type Act, action, type Deps, type RunResult } from './context.ts';
import { CliError, EXIT } from './exit-codes.ts';
import { OUTPUT_FORMATS } from './output.ts';
import { DEFAULT_STACK } from './target.ts';

const TARGETS = `
Targets:
  deployed   the queue, DLQ and table from the outputs of CloudFormation stack --stack
             (QueueUrl, DeadLetterQueueUrl, TableName); --queue-url, --dlq-url and --table
             instead of, or over, them. Credentials and region: the AWS SDK's usual chain.
  --local    the local stack (npm run stack:up), from its stack.json, with dummy credentials.

See docs/cli.md.
`;

export function buildProgram(deps: Deps, result: RunResult): Command {
  const program = new Command('ejr')
    .description('eks-job-runner: submit, follow and inspect jobs')
    .version(packageJson.version)
    // errors and help go through the injected io; exits are ours to decide (run below)
    .exitOverride()
    .configureOutput({ writeOut: (s) => deps.io.out(s), writeErr: (s) => deps.io.err(s) })
    .showHelpAfterError('(ejr --help, or ejr COMMAND --help, for usage)')
    .addOption(new Option('--local', 'the local stack (stack.json)'))
    .addOption(
      new Option('--stack <name>', 'the CloudFormation stack').env('EJR_STACK').default(DEFAULT_STACK),
    )
    .addOption(new Option('--queue-url <url>', 'the jobs queue').env('EJR_QUEUE_URL'))
    .addOption(new Option('--dlq-url <url>', 'its dead-letter queue').env('EJR_DLQ_URL'))
    .addOption(new Option('--table <name>', 'the jobs table').env('EJR_TABLE'))
    .addOption(new Option('--region <region>', 'the AWS region (default: the SDK chain)'))
    .addOption(
      new Option('-o, --output <format>', 'table for people, json for scripts')
        .choices(OUTPUT_FORMATS)
        .default('table'),
    )
    .addHelpText('after', TARGETS);
  const act: Act = (handler) => action(deps, result, handler);
  for (const register of [
    registerSubmit,
    registerGet,
    registerList,
    registerWait,
    registerLogs,
    registerCancel,
    registerDlq,
    registerUsage,
  ])
    register(program, act);
  return program;
}

/** Runs one command line (without `node ejr`) and returns its exit code; never throws. */
export async function run(argv: readonly string[], deps: Deps): Promise<number> {
  const result: RunResult = { code: EXIT.ok };
  try {
    await buildProgram(deps, result).parseAsync([...argv], { from: 'user' });
    return result.code;
  } catch (error) {
    return report(error, deps);
  }
}

function report(error: unknown, deps: Deps): number {
  // commander has printed its own message (or the help) already
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (error instanceof CliError) {
    deps.io.err(`ejr: ${error.message}\n${error.details.map((d) => `  ${d}\n`).join('')}`);
    return error.exitCode;
  }
  const e = error instanceof Error ? error : new Error(String(error));
  // an AWS error's name says most (QueueDoesNotExist, AccessDenied, ExpiredToken)
  const name = e.name && e.name !== 'Error' ? `${e.name}: ` : '';
  deps.io.err(`ejr: ${name}${e.message}\n`);
  if (process.env.EJR_DEBUG) deps.io.err(`${e.stack}\n`);
  return EXIT.error;
}
