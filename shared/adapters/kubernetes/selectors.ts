/** Pods carry this label (set by the Job controller) with their Job's name. */
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';

export const LIST_PAGE_SIZE = 500;
/** A label selector `job-name in (...)` is kept under this many characters per request. */
const MAX_SELECTOR_CHARS = 8000;

/** Splits names into `key in (a,b,...)` selectors that stay under the length limit. */
export function inSelectors(key: string, names: readonly string[], maxChars = MAX_SELECTOR_CHARS): string[] {
  const selectors: string[] = [];
  let batch: string[] = [];
  let length = 0;
  for (const name of [...new Set(names)].sort()) {
    if (batch.length > 0 && length + name.length + 1 > maxChars) {
      selectors.push(`${key} in (${batch.join(',')})`);
      batch = [];
      length = 0;
    }
    batch.push(name);
    length += name.length + 1;
  }
  if (batch.length > 0) selectors.push(`${key} in (${batch.join(',')})`);
  return selectors;
}
