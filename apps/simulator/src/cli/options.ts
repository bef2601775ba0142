/*
 * Command-line options: `--name value` (or `--name=value`, or a bare `--flag`), each with an
 * environment variable as fallback, then a default. Pure, so the parsing is tested.
 */

export type Flags = Record<string, string | true>;

export function parseFlags(argv: readonly string[]): Flags {
  const flags: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}" (options are --name value)`);
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (inline !== undefined) flags[name] = inline;
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) flags[name] = argv[++i]!;
    else flags[name] = true;
  }
  return flags;
}

export interface NumberOption {
  flag: string;
  env: string;
  fallback: number;
  min: number;
  max: number;
  integer?: boolean;
}

export function numberOption(flags: Flags, env: Record<string, string | undefined>, o: NumberOption): number {
  const raw = flags[o.flag] ?? env[o.env];
  if (raw === undefined) return o.fallback;
  const value = Number(raw);
  if (
    raw === true ||
    !Number.isFinite(value) ||
    value < o.min ||
    value > o.max ||
    (o.integer && !Number.isInteger(value))
  ) {
    throw new Error(
      `--${o.flag} (or ${o.env}) must be ${o.integer ? 'an integer' : 'a number'} from ${o.min} to ${o.max}, got ${String(raw)}`,
    );
  }
  return value;
}

export function booleanOption(
  flags: Flags,
  env: Record<string, string | undefined>,
  flag: string,
  envName: string,
): boolean {
  const raw = flags[flag] ?? env[envName];
  return raw === true || raw === 'true' || raw === '1';
}

export function stringOption(
  flags: Flags,
  env: Record<string, string | undefined>,
  flag: string,
  envName: string,
  fallback: string,
): string {
  const raw = flags[flag] ?? env[envName];
  if (raw === true) throw new Error(`--${flag} needs a value`);
  return raw ?? fallback;
}

/** Flags that are not among `known`: a typo should stop the run, not be ignored for 12 minutes. */
export function assertKnown(flags: Flags, known: readonly string[]): void {
  const unknown = Object.keys(flags).filter((f) => !known.includes(f));
  if (unknown.length)
    throw new Error(
      `unknown option(s): ${unknown.map((f) => `--${f}`).join(', ')}; known: ${known.map((f) => `--${f}`).join(', ')}`,
    );
}

export interface EfficacyArgs {
  seed: number;
  agents: number;
  minutes: number;
  /** Mean sessions per second for the whole fleet. */
  rate: number;
  tickSeconds: number;
  /** `time_window_hours` of each tick. */
  windowHours: number;
  /** Width of the true-quality windows, seconds. */
  windowSeconds: number;
  maxInFlight: number;
  /** true: feedback goes in batches (`collect/bulk`, as an SDK sends it); false: one `collect` per session. */
  bulk: boolean;
  /** The compressed day: period (s) and amplitude of the diurnal load. */
  dayPeriodSeconds: number;
  dayAmplitude: number;
  /** Learnable agents (nothing registered, examples only), taken from the needy share; unset: a fifteenth of the fleet. */
  learnable?: number;
  /** Whose runtimes send artifacts with their feedback: the learnable agents only, or all. */
  artifacts: 'learnable' | 'all';
}

const EFFICACY_OPTIONS = {
  seed: { flag: 'seed', env: 'EFFICACY_SEED', fallback: 1, min: 0, max: 2 ** 31 - 1, integer: true },
  agents: { flag: 'agents', env: 'EFFICACY_AGENTS', fallback: 30, min: 3, max: 1000, integer: true },
  minutes: { flag: 'minutes', env: 'EFFICACY_MINUTES', fallback: 12, min: 0.5, max: 600 },
  rate: { flag: 'rate', env: 'EFFICACY_RATE', fallback: 250, min: 1, max: 20_000 },
  tickSeconds: { flag: 'tick-seconds', env: 'EFFICACY_TICK_SECONDS', fallback: 5, min: 0.5, max: 600 },
  windowHours: { flag: 'window-hours', env: 'EFFICACY_WINDOW_HOURS', fallback: 0.05, min: 0.05, max: 720 },
  windowSeconds: { flag: 'window-seconds', env: 'EFFICACY_WINDOW_SECONDS', fallback: 30, min: 1, max: 3600 },
  maxInFlight: {
    flag: 'max-in-flight',
    env: 'EFFICACY_MAX_IN_FLIGHT',
    fallback: 256,
    min: 1,
    max: 10_000,
    integer: true,
  },
  dayPeriodSeconds: { flag: 'day-seconds', env: 'EFFICACY_DAY_SECONDS', fallback: 240, min: 10, max: 86_400 },
  dayAmplitude: { flag: 'day-amplitude', env: 'EFFICACY_DAY_AMPLITUDE', fallback: 0.5, min: 0, max: 0.95 },
} satisfies Record<Exclude<keyof EfficacyArgs, 'bulk' | 'learnable' | 'artifacts'>, NumberOption>;

const LEARNABLE_OPTION: NumberOption = {
  flag: 'learnable',
  env: 'EFFICACY_LEARNABLE',
  fallback: -1,
  min: 0,
  max: 1000,
  integer: true,
};

export const EFFICACY_FLAGS = [
  ...Object.values(EFFICACY_OPTIONS).map((o) => o.flag),
  'feedback',
  LEARNABLE_OPTION.flag,
  'artifacts',
];

/** `--artifacts learnable` (default: only the learnable agents' runtimes send query and answer) or `all`. */
export function artifactMode(flags: Flags, env: Record<string, string | undefined>): 'learnable' | 'all' {
  const mode = stringOption(flags, env, 'artifacts', 'EFFICACY_ARTIFACTS', 'learnable');
  if (mode !== 'learnable' && mode !== 'all')
    throw new Error(`--artifacts (or EFFICACY_ARTIFACTS) must be learnable or all, got ${mode}`);
  return mode;
}

/** `--feedback bulk` (default: batches every 100 ms, as an agent SDK sends them) or `single` (one `collect` per session). */
export function feedbackMode(flags: Flags, env: Record<string, string | undefined>, envName: string): boolean {
  const mode = stringOption(flags, env, 'feedback', envName, 'bulk');
  if (mode !== 'bulk' && mode !== 'single')
    throw new Error(`--feedback (or ${envName}) must be bulk or single, got ${mode}`);
  return mode === 'bulk';
}

export function efficacyArgs(flags: Flags, env: Record<string, string | undefined>): EfficacyArgs {
  assertKnown(flags, EFFICACY_FLAGS);
  const number = (key: keyof typeof EFFICACY_OPTIONS) => numberOption(flags, env, EFFICACY_OPTIONS[key]);
  const learnable = numberOption(flags, env, LEARNABLE_OPTION);
  return {
    seed: number('seed'),
    agents: number('agents'),
    minutes: number('minutes'),
    rate: number('rate'),
    tickSeconds: number('tickSeconds'),
    windowHours: number('windowHours'),
    windowSeconds: number('windowSeconds'),
    maxInFlight: number('maxInFlight'),
    bulk: feedbackMode(flags, env, 'EFFICACY_FEEDBACK'),
    dayPeriodSeconds: number('dayPeriodSeconds'),
    dayAmplitude: number('dayAmplitude'),
    ...(learnable >= 0 && { learnable }),
    artifacts: artifactMode(flags, env),
  };
}
