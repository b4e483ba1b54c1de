import { MANAGED_SELECTOR } from '../../shared/core/job/labels.ts';
import { isTerminal } from '../../shared/core/job/state.ts';
import type { ActiveEntry } from '../../shared/core/ports.ts';
import { missingSince } from '../../shared/core/reconcile/plan.ts';
import { jobKey, Part } from './context.ts';

/**
 * A full resync of every namespace. The active entries are read first, from the status index (a
 * few pages of small items, not one read per job, nor the records); they tell the listed Jobs that
 * changed nothing since their record was written (left alone without a read: core/reconcile/quiet.ts),
 * and they are the set in which a record whose Job is not listed is a LOST suspect. A listed Job
 * marked settled with no entry is known terminal without a read (core/reconcile/settled.ts). The
 * records of the other listed Jobs, and of the suspects, are read by key, in batches. Each LIST page is handled
 * in turn with the watch's batches (`serial`).
 */
export class Resync extends Part {
  async all(): Promise<void> {
    const { stats, settings } = this.run;
    const started = Date.now();
    const active = await this.activeEntries();
    if (stats.resyncs === 0) stats.activeScanMs = Date.now() - started;
    const listedAt = this.run.now();
    const seen = new Set<string>();
    for (const namespace of settings.namespaces) await this.namespace(namespace, seen, active);
    const unlisted: string[] = [];
    for (const entry of active.values()) {
      const key = jobKey(entry.namespace ?? '', entry.jobName);
      // A Job the watch delivered is the watch's to judge: its DELETED carries the final status.
      if (!seen.has(key) && !this.run.watched.has(key)) unlisted.push(entry.jobId);
    }
    await this.parts.serial.run(() => this.suspectUnlisted(unlisted, listedAt));
    await this.parts.serial.run(() => this.parts.lost.confirm());
    if (stats.resyncs === 0) stats.resyncMs = Date.now() - started;
    stats.resyncs++;
  }

  /** Lists one namespace page by page; returns the list's resourceVersion. */
  async namespace(
    namespace: string,
    seen = new Set<string>(),
    active?: ReadonlyMap<string, ActiveEntry>,
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

  /**
   * The records whose Job was not listed, read by key (planMissing needs the whole record; a record
   * that ended or moved since the index was read is judged as it is now): the active ones are suspects.
   */
  private async suspectUnlisted(jobIds: readonly string[], listedAt: string): Promise<void> {
    if (jobIds.length === 0) return;
    const records = await this.run.deps.reader.getJobs(jobIds);
    for (const record of records.values())
      if (!isTerminal(record.state))
        this.parts.lost.suspect(record, missingSince(record, listedAt), 'unlisted');
  }

  private async activeEntries(): Promise<Map<string, ActiveEntry>> {
    const namespaces = new Set(this.run.settings.namespaces);
    const active = new Map<string, ActiveEntry>();
    for await (const entry of this.run.deps.reader.scanActive()) {
      if (entry.namespace && entry.jobName && namespaces.has(entry.namespace)) active.set(entry.jobId, entry);
    }
    return active;
  }
}
