import { statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { DEFAULT_POLICIES_PATH } from '../default-policies-path';
import { loadPolicyFile, PolicyLoadError, type EffectivePolicy } from './load-policy-file';
import type { PolicyRejection, PolicyStatus } from '../policy-status.schema';
import type { PolicyOverrides } from './overrides';

export interface PolicyLogger {
  log(message: string): void;
  warn(message: string): void;
}

export interface PolicyStoreOptions {
  /** The policy file; default: the bundled default-policies.yaml. */
  path?: string;
  overrides?: PolicyOverrides;
  /** How often the file is stat'ed, in case a file-system event is missed (network mounts, editors' renames). */
  pollIntervalMs?: number;
  /** Also react to file-system events at once (default true); polling alone where they are unreliable. */
  fsEvents?: boolean;
  logger?: PolicyLogger;
}

export type ReloadOutcome = 'applied' | 'unchanged' | 'rejected';
export type PolicyListener = (current: EffectivePolicy, previous: EffectivePolicy) => void;

const RELOAD_DEBOUNCE_MS = 50;
const silent: PolicyLogger = { log: () => undefined, warn: () => undefined };

/**
 * Holds the effective policy and keeps it in step with its file: a valid change replaces it
 * (and subscribers are told), an invalid one is logged and recorded while the last valid
 * policy stays in force. Construction loads the file and throws PolicyLoadError when it is
 * unusable, so an app never starts without a policy.
 */
export class PolicyStore {
  private effective: EffectivePolicy;
  private rejection: PolicyRejection | null = null;
  private readonly listeners = new Set<PolicyListener>();
  private readonly path: string;
  private readonly logger: PolicyLogger;
  private watcher: FSWatcher | undefined;
  private poller: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private fileSignature: string | undefined;

  constructor(private readonly options: PolicyStoreOptions = {}) {
    this.path = resolve(options.path ?? DEFAULT_POLICIES_PATH);
    this.logger = options.logger ?? silent;
    this.fileSignature = this.signature();
    this.effective = loadPolicyFile(this.path, options.overrides);
    this.logger.log(
      `policy ${short(this.effective.version)} loaded from ${this.effective.source_path}${describeOverrides(this.effective.overrides)}`,
    );
  }

  current(): EffectivePolicy {
    return this.effective;
  }

  status(): PolicyStatus {
    return { ...this.effective, last_rejected: this.rejection };
  }

  /** Called after each change of the effective policy; returns the unsubscribe function. */
  subscribe(listener: PolicyListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reads the file again now. */
  reload(): ReloadOutcome {
    this.fileSignature = this.signature();
    let next: EffectivePolicy;
    try {
      next = loadPolicyFile(this.path, this.options.overrides);
    } catch (error) {
      if (!(error instanceof PolicyLoadError)) throw error;
      this.reject(error);
      return 'rejected';
    }
    this.rejection = null;
    if (next.version === this.effective.version) return 'unchanged';
    const previous = this.effective;
    this.effective = next;
    this.logger.log(`policy ${short(next.version)} loaded from ${next.source_path} (was ${short(previous.version)})`);
    for (const listener of this.listeners) {
      try {
        listener(next, previous);
      } catch (error) {
        this.logger.warn(`a policy subscriber failed: ${(error as Error).message}`);
      }
    }
    return 'applied';
  }

  /** Starts following the file (idempotent). */
  watch(): void {
    if (this.poller) return;
    this.poller = setInterval(() => {
      if (this.signature() !== this.fileSignature) this.reload();
    }, this.options.pollIntervalMs ?? 5_000);
    this.poller.unref();
    if (this.options.fsEvents === false) return;
    // The directory, not the file: editors and ConfigMaps replace files by renaming, which ends
    // a watch on the file itself. Events naming another file (a ConfigMap's `..data` swap) count
    // when the file's stat changed with them.
    const name = basename(this.path);
    try {
      this.watcher = watch(dirname(this.path), { persistent: false }, (_event, filename) => {
        if (filename === null || filename === name || this.signature() !== this.fileSignature) this.scheduleReload();
      });
      this.watcher.on('error', () => this.closeWatcher());
    } catch (error) {
      this.logger.warn(
        `cannot watch ${dirname(this.path)} (${(error as Error).message}); polling every ${this.options.pollIntervalMs ?? 5_000} ms`,
      );
    }
  }

  /** Stops following the file; the policy in force stays readable. */
  close(): void {
    clearInterval(this.poller);
    clearTimeout(this.debounce);
    this.poller = undefined;
    this.debounce = undefined;
    this.closeWatcher();
  }

  onModuleInit(): void {
    this.watch();
  }

  onModuleDestroy(): void {
    this.close();
  }

  private scheduleReload(): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.reload(), RELOAD_DEBOUNCE_MS);
    this.debounce.unref();
  }

  private reject(error: PolicyLoadError): void {
    const repeated = this.rejection?.reason === error.reason;
    this.rejection = {
      path: error.path,
      reason: error.reason,
      issues: error.issues,
      rejected_at: repeated ? this.rejection!.rejected_at : new Date().toISOString(),
    };
    if (!repeated) this.logger.warn(`${error.message}; policy ${short(this.effective.version)} stays in force`);
  }

  /** What changes when the file is replaced or rewritten (stat follows symlinks, as ConfigMaps use). */
  private signature(): string | undefined {
    try {
      const stat = statSync(this.path);
      return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
    } catch {
      return undefined;
    }
  }

  private closeWatcher(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}

function short(version: string): string {
  return version.slice(0, 12);
}

function describeOverrides(overrides: PolicyOverrides): string {
  const set = Object.entries(overrides);
  return set.length === 0
    ? ''
    : ` with environment overrides ${set.map(([name, value]) => `${name}=${String(value)}`).join(', ')}`;
}
