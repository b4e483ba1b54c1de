// What a command gets: its I/O, the clock, and a connector to the target. main.ts gives the real
// ones; the unit tests give fakes, and so run every command without AWS or a cluster.
import type { Command } from 'commander';
import type { OutputFormat } from './output.ts';
import type { Connect, TargetOptions } from './target.ts';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal: the progress line then redraws in place. */
  errIsTTY: boolean;
  /** A file's text; `-` is standard input. */
  readText(path: string): string;
}

export interface Deps {
  io: Io;
  connect(options: TargetOptions): Connect;
  now(): number;
  sleep(ms: number): Promise<void>;
  newJobId(): string;
}

export interface GlobalOptions extends TargetOptions {
  output: OutputFormat;
}

export interface Ctx {
  deps: Deps;
  io: Io;
  globals: GlobalOptions;
  /** Resolves the target on first use, so --help and a bad file never need AWS. */
  connect: Connect;
}

/** The exit code of the command that ran (commander ignores what an action returns). */
export interface RunResult {
  code: number;
}

export type Handler<O> = (ctx: Ctx, args: string[], options: O) => Promise<number>;

/** A commander action that runs `handler` with the command's arguments and options. */
export function action<O>(deps: Deps, result: RunResult, handler: Handler<O>) {
  return async (...params: unknown[]): Promise<void> => {
    const command = params[params.length - 1] as Command;
    const globals = command.optsWithGlobals() as GlobalOptions;
    const ctx: Ctx = { deps, io: deps.io, globals, connect: deps.connect(globals) };
    result.code = await handler(ctx, command.processedArgs as string[], command.opts() as O);
  };
}

/** `action` with the deps and result of one run bound: what the command modules register with. */
export type Act = <O>(handler: Handler<O>) => (...params: unknown[]) => Promise<void>;
