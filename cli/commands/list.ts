import { type Command, Option } from 'commander';
import type { JobRecord } from '../../shared/core/job/record.ts';
import { ACTIVE_STATES, type JobState } from '../../shared/core/job/state.ts';
import { integerIn, jobState } from '../args.ts';
import type { Act } from '../context.ts';
import { EXIT, usageError } from '../exit-codes.ts';
import { jobsTable, json } from '../output.ts';
import type { JobQueries } from '../target.ts';

export interface ListFlags {
  owner?: string;
  state?: JobState;
  limit: number;
  nextToken?: string;
}

export interface Listing {
  items: JobRecord[];
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
    .addHelpText(
      'after',
      '\nWithout --owner or --state: the active jobs (SUBMITTED, PENDING, RUNNING).\n' +
        "With both: the owner's page, filtered by state (a page may then hold fewer than --limit).\n",
    )
    .action(
      act<ListFlags>(async (ctx, _args, flags) => {
        const target = await ctx.connect(['tableName']);
        const listing = await listJobs(target.jobs, flags);
        if (ctx.globals.output === 'json') ctx.io.out(json(listing));
        else {
          ctx.io.out(jobsTable(listing.items));
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
  const states = state ? [state] : ACTIVE_STATES;
  const perState = await Promise.all(states.map((s) => jobs.listByState(s, { limit })));
  const items = perState
    .flat()
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
    .slice(0, limit);
  return { items };
}
