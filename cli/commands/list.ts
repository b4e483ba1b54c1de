import { type Command, Option } from 'commander';
import { queuePositions } from '../../shared/core/admission/order.ts';
import type { JobRecord } from '../../shared/core/job/record.ts';
import { ACTIVE_STATES, type JobState } from '../../shared/core/job/state.ts';
import { admissionPolicySchema } from '../../shared/core/submit/policy-admission.ts';
import { integerIn, jobState } from '../args.ts';
import type { Act } from '../context.ts';
import { EXIT, usageError } from '../exit-codes.ts';
import { jobsTable, json, queueTable } from '../output.ts';
import type { JobQueries } from '../target.ts';

export interface ListFlags {
  owner?: string;
  state?: JobState;
  limit: number;
  nextToken?: string;
  agingSeconds: number;
}

export interface Listing {
  items: JobRecord[];
  /** For QUEUED jobs: the place of each in its owner's queue, in the order admission takes them. */
  positions?: Record<string, number>;
  /** Pass as --next-token for the next page; only an owner's listing has pages. */
  nextToken?: string;
}

export function registerList(program: Command, act: Act): void {
  program
    .command('list')
    .description("list jobs: an owner's newest first, or a state's most recently updated first")
    .option('--owner <owner>', "an owner's jobs, newest first, in pages")
    .addOption(new Option('--state <state>', 'only jobs in this state').argParser(jobState))
    .addOption(new Option('--limit <n>', 'jobs per page').argParser(integerIn(1, 1000)).default(20))
    .option('--next-token <token>', 'the next page of an owner listing (printed with the previous page)')
    .addOption(
      new Option('--aging-seconds <n>', "the policy's admission.agingSeconds, for the queue positions")
        .argParser(integerIn(1, 86400))
        .default(300),
    )
    .addHelpText(
      'after',
      '\nWithout --owner or --state: the active jobs (SUBMITTED, QUEUED, PENDING, RUNNING).\n' +
        "With both: the owner's page, filtered by state (a page may then hold fewer than --limit).\n" +
        '--state QUEUED also shows why each job waits and its place in its queue (docs/admission.md).\n',
    )
    .action(
      act<ListFlags>(async (ctx, _args, flags) => {
        const target = await ctx.connect(['tableName']);
        const listing = await listJobs(target.jobs, flags);
        if (ctx.globals.output === 'json') ctx.io.out(json(listing));
        else {
          const now = new Date().toISOString();
          ctx.io.out(
            listing.positions ? queueTable(listing.items, listing.positions, now) : jobsTable(listing.items),
          );
          if (listing.nextToken) ctx.io.err(`more: --next-token ${listing.nextToken}\n`);
        }
        return EXIT.ok;
      }),
    );
}

/** The read of docs/queries.md that answers the flags. */
export async function listJobs(jobs: JobQueries, flags: ListFlags): Promise<Listing> {
  const { owner, state, limit, nextToken } = flags;
  if (owner !== undefined) {
    const page = await jobs.listByOwner(owner, { limit, cursor: nextToken });
    const items = state ? page.items.filter((r) => r.state === state) : page.items;
    return { items, nextToken: page.cursor };
  }
  // byStatus merges 8 shards per state, so it has no cursor to hand out
  if (nextToken !== undefined) throw usageError('--next-token pages an --owner listing only');
  if (state === 'QUEUED') return queueListing(jobs, flags);
  const states = state ? [state] : ACTIVE_STATES;
  const perState = await Promise.all(states.map((s) => jobs.listByState(s, { limit })));
  const items = perState
    .flat()
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
    .slice(0, limit);
  return { items };
}

/** The queued jobs in queue order, each with its position (read from up to 1,000 per status shard). */
async function queueListing(jobs: JobQueries, flags: ListFlags): Promise<Listing> {
  const queued = await jobs.listByState('QUEUED', { limit: 1000 });
  const policy = admissionPolicySchema.parse({ agingSeconds: flags.agingSeconds });
  const positions = queuePositions(
    queued.filter((r) => r.admission && !r.suspension),
    policy,
    new Date().toISOString(),
  );
  const order = (r: JobRecord) => positions.get(r.jobId) ?? Number.MAX_SAFE_INTEGER;
  const items = [...queued].sort((a, b) => order(a) - order(b) || a.owner.localeCompare(b.owner));
  return { items: items.slice(0, flags.limit), positions: Object.fromEntries(positions) };
}
