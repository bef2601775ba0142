import { parseArgs } from 'node:util';
import type { Args, OptionSpec, OptionValue } from './command';
import { UsageError } from './errors';

/** Flags every verb takes. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  url: {
    type: 'string',
    value: '<url>',
    description: 'oracle-api base URL (env METALOOP_URL, default http://127.0.0.1:8092)',
  },
  'feedback-url': {
    type: 'string',
    value: '<url>',
    description: 'feedback-api base URL (env METALOOP_FEEDBACK_URL, default http://127.0.0.1:8091)',
  },
  'api-key': { type: 'string', value: '<key>', description: 'API key sent as Bearer (env METALOOP_API_KEY)' },
  json: { type: 'boolean', description: 'print the JSON answer instead of tables (for scripts)' },
  help: { type: 'boolean', short: 'h', description: 'this help' },
};

/** Parses one verb's argv (after the verb) against its flags plus the global ones. */
export function parseVerbArgs(verb: string, argv: string[], options: Record<string, OptionSpec>): Args {
  const all = { ...GLOBAL_OPTIONS, ...options };
  try {
    const parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(
        Object.entries(all).map(([name, spec]) => [
          name,
          {
            type: spec.type,
            ...(spec.short ? { short: spec.short } : {}),
            ...(spec.multiple ? { multiple: true } : {}),
          },
        ]),
      ),
    });
    return { verb, values: parsed.values as Record<string, OptionValue>, positionals: parsed.positionals };
  } catch (error) {
    throw new UsageError(cleanParseError((error as Error).message), verb);
  }
}

/** node:util's messages mention `parseArgs`; say it in the command's terms. */
function cleanParseError(message: string): string {
  return message
    .replace(/\. To specify a positional argument starting with a '-'.*$/s, '')
    .replace(/^Unknown option '(.+?)'.*$/s, "unknown flag '$1'")
    .replace(/^Option '(.+?)' argument missing.*$/s, "flag '$1' needs a value")
    .replace(/^Option '(.+?)' does not take an argument.*$/s, "flag '$1' takes no value");
}

export function str(args: Args, name: string): string | undefined {
  const value = args.values[name];
  if (Array.isArray(value)) return value.at(-1);
  if (typeof value === 'boolean') return undefined;
  return value;
}

export function requireStr(args: Args, name: string): string {
  const value = str(args, name);
  if (value === undefined || value.trim() === '') throw new UsageError(`--${name} is required`, args.verb);
  return value;
}

export function bool(args: Args, name: string): boolean {
  return args.values[name] === true;
}

/** Every value of a repeatable or comma-separated flag (`--tags a,b --tags c`). */
export function list(args: Args, name: string): string[] | undefined {
  const raw = args.values[name];
  if (raw === undefined || typeof raw === 'boolean') return undefined;
  const values = (Array.isArray(raw) ? raw : [raw])
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter(Boolean);
  return values.length > 0 ? values : undefined;
}

export function num(
  args: Args,
  name: string,
  bounds: { min?: number; max?: number; integer?: boolean } = {},
): number | undefined {
  const raw = str(args, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  const { min = -Infinity, max = Infinity, integer = false } = bounds;
  const kind = integer ? 'a whole number' : 'a number';
  if (raw.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new UsageError(`--${name}: expected ${kind}, got "${raw}"`, args.verb);
  }
  if (value < min || value > max) {
    const range = max === Infinity ? `at least ${min}` : min === -Infinity ? `at most ${max}` : `${min}–${max}`;
    throw new UsageError(`--${name}: expected ${kind} ${range}, got ${raw}`, args.verb);
  }
  return value;
}

export function oneOf<T extends string>(args: Args, name: string, choices: readonly T[]): T | undefined {
  const value = str(args, name);
  if (value === undefined) return undefined;
  if (!choices.includes(value as T)) {
    throw new UsageError(`--${name}: expected one of ${choices.join(', ')}, got "${value}"`, args.verb);
  }
  return value as T;
}

/** Positionals after the sub-verb words, exactly `count` of them (named for the message). */
export function positionals(args: Args, names: string[], optional: string[] = []): string[] {
  const given = args.positionals;
  if (given.length < names.length) {
    throw new UsageError(`missing ${names.slice(given.length).join(' ')}`, args.verb);
  }
  if (given.length > names.length + optional.length) {
    throw new UsageError(`unexpected argument "${given[names.length + optional.length]}"`, args.verb);
  }
  return given;
}
