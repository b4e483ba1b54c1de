import { MANAGED_SELECTOR } from '../../shared/core/job/labels.ts';
import type { JobRecord } from '../../shared/core/job/record.ts';
import { missingSince } from '../../shared/core/reconcile/plan.ts';
import { jobKey, Part } from './context.ts';

/**
 * A full resync of every namespace. The active records are read first, from the status index (a
 * few pages, not one read per job); they serve both as the records of the listed Jobs and as the
 * set in which a record whose Job is not listed is a LOST suspect. Only the listed Jobs without
 * an active record (finished, or orphans) are read by key. Each LIST page is handled in turn
 * with the watch's batches (`serial`).
 */
export class Resync extends Part {
  async all(): Promise<void> {
    const { stats, settings } = this.run;
    const started = Date.now();
    const active = await this.activeRecords();
    if (stats.resyncs === 0) stats.activeScanMs = Date.now() - started;
    const listedAt = this.run.now();
    const seen = new Set<string>();
    for (const namespace of settings.namespaces) await this.namespace(namespace, seen, active);
    for (const record of active.values()) {
      const key = jobKey(record.namespace ?? '', record.jobName);
      // A Job the watch delivered is the watch's to judge: its DELETED carries the final status.
      if (!seen.has(key) && !this.run.watched.has(key))
        this.parts.lost.suspect(record, missingSince(record, listedAt), 'unlisted');
    }
    await this.parts.serial.run(() => this.parts.lost.confirm());
    if (stats.resyncs === 0) stats.resyncMs = Date.now() - started;
    stats.resyncs++;
  }

  /** Lists one namespace page by page; returns the list's resourceVersion. */
  async namespace(
    namespace: string,
    seen = new Set<string>(),
    active?: ReadonlyMap<string, JobRecord>,
  ): Promise<string> {
    const { stats, deps } = this.run;
    let version = '';
    let waited = Date.now();
    for await (const page of deps.kube.listJobs(namespace, MANAGED_SELECTOR)) {
      if (stats.resyncs === 0) stats.listMs += Date.now() - waited;
      version = page.resourceVersion;
      stats.jobsListed += page.items.length;
      for (const job of page.items) seen.add(jobKey(namespace, job.metadata?.name));
      await this.parts.serial.run(() => this.parts.batches.handle(namespace, page.items, active ?? 'read'));
      waited = Date.now();
    }
    return version;
  }

  private async activeRecords(): Promise<Map<string, JobRecord>> {
    const namespaces = new Set(this.run.settings.namespaces);
    const active = new Map<string, JobRecord>();
    for await (const record of this.run.deps.reader.scanActive()) {
      if (record.namespace && record.jobName && namespaces.has(record.namespace))
        active.set(record.jobId, record);
    }
    return active;
  }
}
