import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbAdmissionStore } from '../adapters/dynamodb/admission-store.ts';
import type { Uses } from '../adapters/iam.ts';
import type { JobReader, JobStore, KubeJobs, Log } from '../core/ports.ts';
import type { Policy } from '../core/submit/policy.ts';
import { admissionPass } from './admission-pass.ts';
import { AdmissionTrigger } from './admission-trigger.ts';
import { onlyMethods } from './only-methods.ts';

/** A function's admission passes (docs/admission.md), on the adapters its uses.ts declares. */
export function admissionTrigger(input: {
  client: DynamoDBDocumentClient;
  tableName: string;
  uses: Uses;
  usesFile: string;
  store: Pick<JobStore, 'replace' | 'get'>;
  reader: Pick<JobReader, 'scanState' | 'getStates'>;
  kube: Pick<KubeJobs, 'setSuspended' | 'deleteJob'>;
  policy: Policy;
  log: Log;
}): AdmissionTrigger {
  const admission = onlyMethods(
    new DynamoDbAdmissionStore(input.client, input.tableName),
    (input.uses.DynamoDbAdmissionStore ?? []) as ('admit' | 'usage')[],
    input.usesFile,
  );
  const deps = { ...input, admission, now: () => new Date() };
  return new AdmissionTrigger(() => admissionPass(deps), input.log);
}
