import type { Command } from 'commander';
import type { Limits, Scope, Usage } from '../../shared/core/admission/types.ts';
import { ACTIVE_STATES } from '../../shared/core/job/state.ts';
import type { Act } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { json, table } from '../output.ts';

interface UsageFlags {
  owner: string[];
  namespace: string[];
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerUsage(program: Command, act: Act): void {
  program
    .command('usage')
    .description('what each owner and namespace holds of its quota (docs/admission.md)')
    .option('--owner <owner>', 'an owner (repeatable)', collect, [])
    .option('--namespace <namespace>', 'a namespace (repeatable)', collect, [])
    .addHelpText('after', '\nWithout flags: every owner and namespace an active job counts against.\n')
    .action(
      act<UsageFlags>(async (ctx, _args, flags) => {
        const target = await ctx.connect(['tableName']);
        let scopes: Scope[] = [
          ...flags.owner.map((o): Scope => `owner#${o}`),
          ...flags.namespace.map((n): Scope => `namespace#${n}`),
        ];
        if (scopes.length === 0) {
          const active = await Promise.all(
            ACTIVE_STATES.map((s) => target.jobs.listByState(s, { limit: 1000 })),
          );
          scopes = [...new Set(active.flat().flatMap((r) => r.admission?.scopes ?? []))].filter(
            (s) => !s.startsWith('share#'),
          );
        }
        const usage = await target.usage.usage(scopes);
        const rows = scopes.map((scope) => ({
          scope,
          ...(usage.get(scope) ?? { jobs: 0, cpu: 0, memory: 0, gpu: 0 }),
        }));
        ctx.io.out(ctx.globals.output === 'json' ? json(rows) : usageTable(rows));
        return EXIT.ok;
      }),
    );
}

/** `3/10`, or `3` when no quota was recorded for the dimension. */
const of = (used: number, limit: number | undefined, unit = (n: number) => String(n)) =>
  limit === undefined ? unit(used) : `${unit(used)}/${unit(limit)}`;

export function usageTable(rows: readonly ({ scope: Scope; limits?: Limits } & Usage)[]): string {
  if (rows.length === 0) return 'no quota in use\n';
  return table(
    ['SCOPE', 'JOBS', 'CPU', 'MEMORY', 'GPU'],
    rows.map((r) => [
      r.scope.replace('#', ' '),
      of(r.jobs, r.limits?.jobs),
      of(r.cpu, r.limits?.cpu, (n) => String(n / 1000)),
      of(r.memory, r.limits?.memory, (n) => `${Math.round(n / 2 ** 20)}Mi`),
      of(r.gpu, r.limits?.gpu),
    ]),
  );
}
