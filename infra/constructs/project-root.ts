import { resolve } from 'node:path';

/** The repository root: function entries, the lock file and infra/k8s are found from here. */
export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');
