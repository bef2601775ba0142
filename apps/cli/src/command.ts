import type { ApiClient } from './http';
import type { Progress } from './progress';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Shown in help: `--days <n>`. */
  value?: string;
  description: string;
}

/** One verb of the command: its flags, its help and what it does. */
export interface Verb {
  name: string;
  summary: string;
  /** Usage lines without the leading `metaloop `. */
  usage: string[];
  options: Record<string, OptionSpec>;
  /** Extra help text after the flags. */
  notes?: string;
  run(ctx: Context, args: Args): Promise<number | void>;
}

export type OptionValue = string | boolean | string[] | undefined;

/** Parsed flags and positionals of one invocation, with typed readers that fail as bad usage. */
export interface Args {
  verb: string;
  values: Record<string, OptionValue>;
  positionals: string[];
}

export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Context {
  oracle: ApiClient;
  feedback: ApiClient;
  /** `--json`: machine-readable output. */
  json: boolean;
  env: Record<string, string | undefined>;
  stdout: Output;
  stderr: Output;
  /** Prints a line on stdout. */
  print(text?: string): void;
  /** `--json` → the value as JSON; otherwise the human text. */
  emit(value: unknown, human: () => string): void;
  /** A spinner/bar on stderr, drawn only when stderr is a TTY. */
  progress(label: string): Progress;
  sleep(ms: number): Promise<void>;
  /** The working directory files are written to and read from. */
  cwd: string;
}
