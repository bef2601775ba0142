import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { bool, num, oneOf, positionals, requireStr, str } from '../args';
import type { Context, Verb } from '../command';
import { CommandError } from '../errors';
import { EXIT } from '../exit-codes';
import { fields, table } from '../format';
import { seg } from '../http';

interface Dataset {
  dataset_id: string;
  agent_id: string;
  revision_id: string | null;
  kind: string;
  status: 'building' | 'ready' | 'failed';
  from: string;
  to: string;
  manifest: {
    counts?: Record<string, number>;
    files?: Record<string, { sha256: string; bytes: number; lines: number }>;
  } | null;
  location: string | null;
  error: string | null;
  created_at: string;
  completed_at: string | null;
}

const FILES = ['train', 'validation', 'manifest'] as const;
const FILE_NAMES: Record<(typeof FILES)[number], string> = {
  train: 'train.jsonl',
  validation: 'validation.jsonl',
  manifest: 'manifest.json',
};

/** Seed 001's training datasets: build one (waiting with a spinner), list, show, download. */
export const datasets: Verb = {
  name: 'datasets',
  summary: 'training datasets: list, create (waits until built), show one, download its files',
  usage: [
    'datasets [--agent <id>] [--limit <n>]',
    'datasets create --agent <id> [--revision <id>] [--from <iso>] [--to <iso>] [--kind sft|preference] [--no-wait]',
    'datasets <dataset_id>',
    'datasets download <dataset_id> [--file train|validation|manifest] [--dir <dir>]',
  ],
  options: {
    agent: { type: 'string', value: '<id>', description: 'the agent (list: filter; create: required)' },
    limit: { type: 'string', value: '<n>', description: 'list: at most this many' },
    revision: { type: 'string', value: '<id>', description: 'create: only events of this revision' },
    from: { type: 'string', value: '<iso>', description: 'create: window start (default: everything)' },
    to: { type: 'string', value: '<iso>', description: 'create: window end (default: now)' },
    kind: {
      type: 'string',
      value: '<kind>',
      description: 'create: sft (chat JSONL, default) or preference (DPO pairs)',
    },
    'no-wait': { type: 'boolean', description: 'create: answer at once with the building dataset' },
    timeout: {
      type: 'string',
      value: '<s>',
      description: 'create: give up waiting after this many seconds (default 600)',
    },
    file: {
      type: 'string',
      value: '<file>',
      description: 'download: only train, validation or manifest (default all three)',
    },
    dir: { type: 'string', value: '<dir>', description: 'download: the folder to write to (default ./<dataset_id>)' },
  },
  notes: 'POST /api/v1/datasets, GET /api/v1/datasets[/{id}], GET /api/v1/datasets/{id}/files/{file}.',
  async run(ctx, args) {
    const [sub] = args.positionals;
    if (sub === 'create') return create(ctx, args);
    if (sub === 'download') {
      const [, id] = positionals(args, ['download', 'dataset_id']);
      return download(ctx, id!, oneOf(args, 'file', FILES), str(args, 'dir'));
    }
    if (sub) {
      positionals(args, ['dataset_id']);
      const dataset = await ctx.oracle.get<Dataset>(`api/v1/datasets/${seg(sub)}`);
      ctx.emit(dataset, () => renderDataset(dataset));
      return;
    }
    const answer = await ctx.oracle.get<{ items: Dataset[] }>('api/v1/datasets', {
      query: { agent_id: str(args, 'agent'), limit: num(args, 'limit', { min: 1, max: 200, integer: true }) },
    });
    ctx.emit(answer, () =>
      answer.items.length === 0
        ? 'no datasets (metaloop datasets create --agent <id> builds one)'
        : table(answer.items, [
            { title: 'DATASET', value: (d) => d.dataset_id },
            { title: 'AGENT', value: (d) => d.agent_id },
            { title: 'KIND', value: (d) => d.kind },
            { title: 'STATUS', value: (d) => d.status },
            { title: 'TRAIN', value: (d) => d.manifest?.counts?.['train'] },
            { title: 'VALIDATION', value: (d) => d.manifest?.counts?.['validation'] },
            { title: 'CREATED', value: (d) => d.created_at },
          ]),
    );
  },
};

async function create(ctx: Context, args: Parameters<Verb['run']>[1]): Promise<number | void> {
  positionals(args, ['create']);
  const body = {
    agent_id: requireStr(args, 'agent'),
    ...(str(args, 'revision') ? { revision_id: str(args, 'revision') } : {}),
    ...(str(args, 'from') ? { from: str(args, 'from') } : {}),
    ...(str(args, 'to') ? { to: str(args, 'to') } : {}),
    ...(str(args, 'kind') ? { kind: oneOf(args, 'kind', ['sft', 'preference'] as const) } : {}),
  };
  const timeoutMs = (num(args, 'timeout', { min: 1 }) ?? 600) * 1000;
  let dataset = await ctx.oracle.post<Dataset>('api/v1/datasets', body, {
    flags: { agent_id: '--agent', revision_id: '--revision', from: '--from', to: '--to', kind: '--kind' },
  });
  if (!bool(args, 'no-wait')) {
    const spinner = ctx.progress(`building dataset ${dataset.dataset_id}`);
    const deadline = Date.now() + timeoutMs;
    try {
      while (dataset.status === 'building') {
        if (Date.now() > deadline) {
          throw new CommandError(
            `dataset ${dataset.dataset_id} still building after ${timeoutMs / 1000} s (metaloop datasets ${dataset.dataset_id} shows it later)`,
          );
        }
        await ctx.sleep(300);
        dataset = await ctx.oracle.get<Dataset>(`api/v1/datasets/${seg(dataset.dataset_id)}`);
      }
    } finally {
      spinner.stop();
    }
  }
  ctx.emit(dataset, () => renderDataset(dataset));
  return dataset.status === 'failed' ? EXIT.other : EXIT.ok;
}

function renderDataset(d: Dataset): string {
  const counts = d.manifest?.counts ?? {};
  return [
    fields([
      ['dataset', d.dataset_id],
      ['agent', d.agent_id],
      ['kind', d.kind],
      ['status', d.status === 'failed' ? `failed: ${d.error ?? ''}` : d.status],
      ['window', `${d.from} → ${d.to}`],
      ['location', d.location],
      ['created', d.created_at],
      ['completed', d.completed_at],
    ]),
    ...(Object.keys(counts).length > 0
      ? [
          '',
          'counts: ' +
            Object.entries(counts)
              .map(([stage, n]) => `${stage} ${n}`)
              .join(', '),
        ]
      : []),
    ...(d.manifest?.files
      ? [
          '',
          table(
            Object.entries(d.manifest.files),
            [
              { title: 'FILE', value: ([name]) => name },
              { title: 'LINES', value: ([, f]) => f.lines },
              { title: 'BYTES', value: ([, f]) => f.bytes },
              { title: 'SHA256', value: ([, f]) => f.sha256 },
            ],
            70,
          ),
        ]
      : []),
    d.status === 'ready' ? `\ndownload: metaloop datasets download ${d.dataset_id}` : '',
  ]
    .filter((line) => line !== '')
    .join('\n');
}

async function download(
  ctx: Context,
  id: string,
  only: (typeof FILES)[number] | undefined,
  dir: string | undefined,
): Promise<void> {
  const target = resolve(ctx.cwd, dir ?? id);
  await mkdir(target, { recursive: true });
  const written: Array<{ file: string; path: string; bytes: number }> = [];
  for (const file of only ? [only] : FILES) {
    const response = await ctx.oracle.send('GET', `api/v1/datasets/${seg(id)}/files/${file}`, {
      accept: '*/*',
      timeoutMs: 0,
    });
    const total = Number(response.headers.get('content-length') ?? 0);
    const path = join(target, FILE_NAMES[file]);
    const spinner = ctx.progress(`downloading ${FILE_NAMES[file]}`);
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        spinner.update(
          `downloading ${FILE_NAMES[file]} ${(bytes / 1e6).toFixed(1)} MB`,
          total > 0 ? bytes / total : undefined,
        );
        done(null, chunk);
      },
    });
    try {
      if (!response.body) throw new CommandError(`the answer for ${file} had no body`);
      await pipeline(Readable.fromWeb(response.body as unknown as WebReadableStream), counter, createWriteStream(path));
    } finally {
      spinner.stop();
    }
    written.push({ file, path, bytes });
  }
  ctx.emit({ dataset_id: id, files: written }, () =>
    table(
      written,
      [
        { title: 'FILE', value: (w) => w.file },
        { title: 'BYTES', value: (w) => w.bytes },
        { title: 'WRITTEN TO', value: (w) => w.path },
      ],
      120,
    ),
  );
}
