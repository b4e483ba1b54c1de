// cfn-lint (the pinned one in the Python venv of infra/local/python-env.sh) over every
// template the app synthesizes: the runner with a scheduled job and alarm topic, the
// runner placed in a VPC, and the example cluster stack.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../../../infra/constructs/project-root.ts';
import { EXAMPLE_CONTEXT, synthApp } from './support.ts';

/**
 * W3005 (a DependsOn that a Ref or GetAtt already implies) is how aws-cdk-lib wires every
 * Lambda function to its role: redundant, harmless, and not ours to change.
 */
const IGNORED = ['W3005'];

function templates(context: Record<string, unknown>): string[] {
  const { app } = synthApp(context);
  const assembly = app.synth();
  return assembly.stacks.map((stack) => join(assembly.directory, stack.templateFile));
}

test('cfn-lint passes on every synthesized template', () => {
  const files = [
    ...templates({
      scheduledJobs: [
        { name: 'nightly', schedule: 'cron(0 2 * * ? *)', request: { owner: 'ops', image: 'busybox' } },
      ],
      alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops-alarms',
    }),
    ...templates({
      ...EXAMPLE_CONTEXT,
      vpcId: 'vpc-0123456789abcdef0',
      subnetIds: 'subnet-0aaaaaaaaaaaaaaaa',
    }),
  ];
  assert.equal(files.length, 3);
  const bin = execFileSync('bash', [join(PROJECT_ROOT, 'infra/local/python-env.sh')], {
    encoding: 'utf8',
  }).trim();
  const lint = spawnSync(join(bin, 'cfn-lint'), ['--ignore-checks', ...IGNORED, '--', ...files], {
    encoding: 'utf8',
  });
  assert.equal(lint.status, 0, `cfn-lint found problems:\n${lint.stdout}${lint.stderr}`);
});
