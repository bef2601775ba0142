import { GLOBAL_OPTIONS, parseVerbArgs, str } from './args';
import type { Context, OptionSpec, Output, Verb } from './command';
import { VERBS } from './commands';
import { ApiError, CommandError, NotFoundError, UsageError } from './errors';
import { EXIT } from './exit-codes';
import { ApiClient } from './http';
import { Progress } from './progress';

export const DEFAULT_ORACLE_URL = 'http://127.0.0.1:8092';
export const DEFAULT_FEEDBACK_URL = 'http://127.0.0.1:8091';

export interface Io {
  env: Record<string, string | undefined>;
  stdout: Output;
  stderr: Output;
  cwd: string;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

const VERSION = '0.1.0';

/** Runs one invocation (`argv` without node and the script) and answers its exit status. */
export async function run(argv: string[], io: Io): Promise<number> {
  const { verbName, rest } = splitVerb(argv);
  if (!verbName) {
    const asked = argv.includes('--version')
      ? VERSION
      : argv.includes('--help') || argv.includes('-h')
        ? mainHelp()
        : '';
    print(asked ? io.stdout : io.stderr, asked || mainHelp());
    return asked ? EXIT.ok : EXIT.usage;
  }
  if (verbName === 'help') {
    const target = rest.find((arg) => !arg.startsWith('-'));
    const verb = target ? VERBS.find((v) => v.name === target) : undefined;
    if (target && !verb) return usageFailure(io, new UsageError(`unknown verb "${target}"`));
    print(io.stdout, verb ? verbHelp(verb) : mainHelp());
    return EXIT.ok;
  }
  const verb = VERBS.find((v) => v.name === verbName);
  if (!verb) return usageFailure(io, new UsageError(`unknown verb "${verbName}"${suggestion(verbName)}`));
  try {
    const args = parseVerbArgs(verb.name, rest, verb.options);
    if (args.values['help'] === true) {
      print(io.stdout, verbHelp(verb));
      return EXIT.ok;
    }
    const ctx = context(
      io,
      str(args, 'url'),
      str(args, 'feedback-url'),
      str(args, 'api-key'),
      args.values['json'] === true,
    );
    return (await verb.run(ctx, args)) ?? EXIT.ok;
  } catch (error) {
    return failure(io, verb, error);
  }
}

/** The verb is the first word that is not a flag or a global flag's value. */
export function splitVerb(argv: string[]): { verbName: string | undefined; rest: string[] } {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (arg.startsWith('-')) {
      const name = arg.replace(/^--?/, '');
      if (!name.includes('=') && GLOBAL_OPTIONS[name]?.type === 'string') i++;
      continue;
    }
    return { verbName: arg, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
  }
  return { verbName: undefined, rest: argv };
}

function context(
  io: Io,
  url: string | undefined,
  feedbackUrl: string | undefined,
  apiKey: string | undefined,
  json: boolean,
): Context {
  const key = apiKey ?? (io.env['METALOOP_API_KEY'] || undefined);
  const fetchFn = io.fetch ?? fetch;
  return {
    oracle: new ApiClient('oracle-api', url ?? (io.env['METALOOP_URL'] || DEFAULT_ORACLE_URL), key, fetchFn),
    feedback: new ApiClient(
      'feedback-api',
      feedbackUrl ?? (io.env['METALOOP_FEEDBACK_URL'] || DEFAULT_FEEDBACK_URL),
      key,
      fetchFn,
    ),
    json,
    env: io.env,
    stdout: io.stdout,
    stderr: io.stderr,
    cwd: io.cwd,
    print: (text = '') => print(io.stdout, text),
    emit: (value, human) => print(io.stdout, json ? JSON.stringify(value, null, 2) : human()),
    progress: (label) => new Progress(io.stderr, label),
    sleep: io.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
  };
}

function failure(io: Io, verb: Verb, error: unknown): number {
  if (error instanceof UsageError) return usageFailure(io, error, verb);
  if (error instanceof ApiError) {
    print(io.stderr, `metaloop ${verb.name}: ${error.message}`);
    return error.exitCode;
  }
  if (error instanceof NotFoundError) {
    print(io.stderr, `metaloop ${verb.name}: ${error.message}`);
    return EXIT.notFound;
  }
  if (error instanceof CommandError) {
    print(io.stderr, `metaloop ${verb.name}: ${error.message}`);
    return error.exitCode;
  }
  print(io.stderr, `metaloop ${verb.name}: ${(error as Error)?.message ?? String(error)}`);
  return EXIT.other;
}

function usageFailure(io: Io, error: UsageError, verb?: Verb): number {
  const prefix = verb ? `metaloop ${verb.name}` : 'metaloop';
  const usage = verb ? verb.usage.map(usageLine).join('\n') : '';
  print(io.stderr, `${prefix}: ${error.message}`);
  print(
    io.stderr,
    usage ? `usage:\n${usage}\n(metaloop ${verb!.name} --help for every flag)` : '(metaloop --help lists the verbs)',
  );
  return EXIT.usage;
}

function suggestion(name: string): string {
  const close = VERBS.find((verb) => verb.name.startsWith(name.slice(0, 3)));
  return close ? ` (did you mean "${close.name}"?)` : '';
}

function print(stream: Output, text = ''): void {
  stream.write(`${text}\n`);
}

export function mainHelp(): string {
  const width = Math.max(...VERBS.map((verb) => verb.name.length));
  return [
    'metaloop: the command line of the metaloop control plane (REST API of oracle-api and feedback-api)',
    '',
    'usage: metaloop <verb> [flags]      metaloop <verb> --help      metaloop --version',
    '',
    'verbs:',
    ...VERBS.map((verb) => `  ${verb.name.padEnd(width)}  ${verb.summary}`),
    '',
    'flags of every verb:',
    optionLines(GLOBAL_OPTIONS),
    '',
    'exit status: 0 ok, 1 other failure, 2 bad usage (or input the API refused as invalid),',
    '             3 refused by a SPEC gate or policy (gates, budget, freeze), 4 not found',
  ].join('\n');
}

export function verbHelp(verb: Verb): string {
  return [
    `metaloop ${verb.name}: ${verb.summary}`,
    '',
    'usage:',
    ...verb.usage.map(usageLine),
    ...(Object.keys(verb.options).length > 0 ? ['', 'flags:', optionLines(verb.options)] : []),
    ...(verb.notes ? ['', verb.notes] : []),
    '',
    'global flags:',
    optionLines(GLOBAL_OPTIONS),
  ].join('\n');
}

/** A usage line; one that starts with spaces continues the line before it. */
function usageLine(line: string): string {
  return line.startsWith(' ') ? `           ${line.trimStart()}` : `  metaloop ${line}`;
}

function optionLines(options: Record<string, OptionSpec>): string {
  const names = Object.entries(options).map(
    ([name, spec]) => `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.value ? ` ${spec.value}` : ''}`,
  );
  const width = Math.max(...names.map((name) => name.length));
  return Object.values(options)
    .map((spec, i) => `  ${names[i]!.padEnd(width)}  ${spec.description}`)
    .join('\n');
}
