import { randomUUID } from 'node:crypto';
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';

/**
 * What makes the local stream source one consumer that resumes where it stopped, as Lambda's
 * event source mapping is: a lease (a file naming the consumer, by its process id and a token of
 * its own; a dead process's lease is free) and a checkpoint per stream and shard, kept across
 * runtime restarts. Two processes that
 * find a dead holder's lease at the same instant could both take it: the runtimes and tests
 * of one machine start one at a time, and the cost would be duplicate events, never lost ones.
 */
export class StreamConsumer {
  private readonly leaseFile: string;
  private readonly checkpointFile: string;
  private readonly identity = `${process.pid} ${randomUUID()}`;

  constructor(files: { leaseFile: string; checkpointFile: string }) {
    this.leaseFile = files.leaseFile;
    this.checkpointFile = files.checkpointFile;
  }

  /** Takes the lease if it is free (or ours); else the process id of its holder. */
  tryAcquire(): { held: true } | { held: false; holder: number } {
    // Linked from a file already naming us: no one ever reads a lease without its holder.
    const mine = `${this.leaseFile}.${randomUUID()}`;
    writeFileSync(mine, this.identity);
    try {
      for (;;) {
        try {
          linkSync(mine, this.leaseFile);
          return { held: true };
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        }
        const holder = this.holder();
        if (holder === this.identity) return { held: true };
        const pid = Number(holder?.split(' ')[0]);
        if (Number.isInteger(pid) && pid > 0 && alive(pid)) return { held: false, holder: pid };
        rmIfPresent(this.leaseFile); // a crashed consumer's lease
      }
    } finally {
      rmIfPresent(mine);
    }
  }

  release(): void {
    if (this.holder() === this.identity) rmIfPresent(this.leaseFile);
  }

  /** The last sequence number handled on the shard of this stream, if any. */
  checkpoint(streamArn: string, shardId: string): string | undefined {
    return this.read()[`${streamArn}|${shardId}`];
  }

  /** Written atomically: a crash leaves the previous checkpoint or this one, never half of one. */
  save(streamArn: string, shardId: string, sequenceNumber: string): void {
    const all = this.read();
    all[`${streamArn}|${shardId}`] = sequenceNumber;
    const temp = `${this.checkpointFile}.${process.pid}`;
    writeFileSync(temp, JSON.stringify(all));
    renameSync(temp, this.checkpointFile);
  }

  private read(): Record<string, string> {
    try {
      return JSON.parse(readFileSync(this.checkpointFile, 'utf8')) as Record<string, string>;
    } catch {
      return {};
    }
  }

  private holder(): string | undefined {
    try {
      return readFileSync(this.leaseFile, 'utf8');
    } catch {
      return undefined;
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function rmIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
