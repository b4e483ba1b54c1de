import { ANNOTATIONS } from '../../core/job/labels.ts';
import type { TerminalState } from '../../core/job/state.ts';

/**
 * The JSON-patch ops that mark a Job settled (ANNOTATIONS.settled = its record's terminal state).
 * `add` sets a member of an existing map but fails when the map is absent: then the whole map is
 * added, guarded by the Job's resourceVersion, so that annotations set since it was seen are never
 * replaced (a failed `test` reads the Job again, as for the finalizer's index).
 */
export function settledMark(
  job: { metadata?: { annotations?: Record<string, string>; resourceVersion?: string } },
  state: TerminalState,
): object[] {
  if (job.metadata?.annotations)
    return [{ op: 'add', path: `/metadata/annotations/${pointerToken(ANNOTATIONS.settled)}`, value: state }];
  const resourceVersion = job.metadata?.resourceVersion;
  return [
    ...(resourceVersion ? [{ op: 'test', path: '/metadata/resourceVersion', value: resourceVersion }] : []),
    { op: 'add', path: '/metadata/annotations', value: { [ANNOTATIONS.settled]: state } },
  ];
}

/** A map key as one JSON-pointer token (RFC 6901): `~` is `~0`, `/` is `~1`. */
const pointerToken = (key: string): string => key.replaceAll('~', '~0').replaceAll('/', '~1');
