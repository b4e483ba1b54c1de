// The dependencies as the guide wants them: pinned exactly, and the AWS SDK in lockstep (one
// release of the clients in the bundles: one copy of the shared @smithy and @aws-sdk core).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { PROJECT_ROOT } from '../../../infra/constructs/project-root.ts';

const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** Released on lines of their own, so not at the clients' version. */
const OWN_RELEASE_LINE = ['@aws-sdk/util-dynamodb'];

describe('dependencies', () => {
  test('every version is pinned exactly', () => {
    for (const [name, version] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies }))
      assert.match(version, /^\d+\.\d+\.\d+$/, `${name}@${version}`);
  });

  test('the AWS SDK packages the functions and the CLI use are at one release', () => {
    const sdk = Object.entries(pkg.dependencies).filter(
      ([name]) => name.startsWith('@aws-sdk/') && !OWN_RELEASE_LINE.includes(name),
    );
    assert.ok(sdk.length >= 5);
    assert.deepEqual([...new Set(sdk.map(([, version]) => version))], [sdk[0]?.[1]], JSON.stringify(sdk));
  });
});
