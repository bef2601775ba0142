import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export const REPO_ROOT = join(__dirname, '..', '..', '..');
export const DEPLOY_DIR = join(REPO_ROOT, 'deploy');
export const PROMETHEUS_DIR = join(DEPLOY_DIR, 'prometheus');
export const K8S_DIR = join(DEPLOY_DIR, 'k8s');
export const COMPOSE_FILE = join(DEPLOY_DIR, 'docker-compose.yml');

/** One YAML document; `<<` merge keys resolved as docker compose does. */
export function readYaml<T>(path: string): T {
  return parse(readFileSync(path, 'utf8'), { merge: true }) as T;
}

/** Every document of a multi-document YAML file (`---`). */
export function readYamlDocuments<T>(path: string): T[] {
  return parseAllDocuments(readFileSync(path, 'utf8')).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJSON() as T;
  });
}
