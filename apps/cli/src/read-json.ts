import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from './errors';

/** A JSON body from a file named by a flag (`-` reads stdin); bad JSON is bad usage. */
export async function readJsonFile(cwd: string, path: string, flag: string, verb: string): Promise<unknown> {
  let text: string;
  try {
    text = path === '-' ? await readStdin() : await readFile(resolve(cwd, path), 'utf8');
  } catch (error) {
    throw new UsageError(
      `--${flag}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      verb,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`--${flag}: ${path} is not JSON: ${(error as Error).message}`, verb);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
