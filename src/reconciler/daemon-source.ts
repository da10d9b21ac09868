// The daemon's manifests: finds the directory (waiting for it when the first git-sync or push
// has not created it yet), watches it, reads each new tree until it settles, and swaps the
// desired state when a valid tree differs from the one in force. What a new tree means for the
// objects (which keys to reconcile, a full sync) goes to the caller through `onLoaded`; an
// invalid tree changes nothing but the reported source status.
import type { DesiredState, IdentityKey, ManifestError } from '../manifests/types.js';
import type { Logger } from '../observability/logger.js';
import { abortableSleep, message } from './daemon-async.js';
import type { ControllerEngine, LoadResult, SourceInfo } from './daemon-engine.js';
import { diffDesired, fingerprints, keysToReconcileAfterReload, sameDesired } from './daemon-keys.js';
import type { DaemonMetrics } from './daemon-metrics.js';
import type { SourceWatcher } from './source-watch.js';

export interface SourceStatus {
  /** The directory as configured. */
  path: string;
  /** Real path of the tree in force. */
  root: string | null;
  /** Revision in force (also `revision` at the top level). */
  revision: string | null;
  /** False while the tree on disk is invalid; the last valid one stays in force. */
  valid: boolean;
  /** Errors of the last load, when it failed. */
  errors: ManifestError[];
  /** Revision of the rejected tree, when the last load failed. */
  rejectedRevision: string | null;
  /** When the tree in force was loaded (ISO 8601). */
  loadedAt: string | null;
}

/** A valid tree that became the desired state. */
export interface DesiredLoad {
  /** The desired state before; null for the first valid tree. */
  previous: DesiredState | null;
  desired: DesiredState;
  revision: string | null;
  /** Keys whose manifest (or a manifest they refer to) was added or changed, or removed under --prune. */
  changed: IdentityKey[];
}

export interface ManifestSourceOptions {
  /** The manifests directory as configured: a plain directory or a git-sync symlink. */
  dir: string;
  engine: ControllerEngine;
  logger: Logger;
  daemonMetrics: Pick<DaemonMetrics, 'reload' | 'setManifestsValid'>;
  prune: boolean;
  /** Quiet time after file events before a reload. Default 300 ms. */
  debounceMs?: number;
  /** A reload reads the tree twice this far apart and only accepts identical results. Default 300 ms. */
  settleMs?: number;
  /** How often a daemon started before its directory exists looks for it. */
  pollMs: number;
  stop: AbortSignal;
  onLoaded(load: DesiredLoad): void;
}

export class ManifestSource {
  readonly #opts: ManifestSourceOptions;
  #desired: DesiredState | null = null;
  #fingerprints = new Map<IdentityKey, string>();
  #status: SourceStatus;
  #watcher: SourceWatcher | null = null;

  constructor(opts: ManifestSourceOptions) {
    this.#opts = opts;
    this.#status = { path: opts.dir, root: null, revision: null, valid: false, errors: [], rejectedRevision: null, loadedAt: null };
  }

  /** The desired state in force (the last valid load). */
  get desired(): DesiredState | null {
    return this.#desired;
  }

  /** Fingerprint of `key`'s manifest in force (see daemon-keys.ts). */
  fingerprint(key: IdentityKey): string | undefined {
    return this.#fingerprints.get(key);
  }

  get status(): SourceStatus {
    return { ...this.#status, errors: [...this.#status.errors] };
  }

  /** The source, or undefined while its path does not exist. */
  async resolve(): Promise<SourceInfo | undefined> {
    try {
      return await this.#opts.engine.resolveSource(this.#opts.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /**
   * The manifests directory, once it exists. A daemon may start before the first git-sync or
   * push creates it: it then serves HTTP (not ready, the reason under `source` in /status) and
   * looks again every `pollMs`. Undefined when stopped while waiting.
   */
  async awaitSource(): Promise<SourceInfo | undefined> {
    const { dir, logger: log, stop } = this.#opts;
    const why = `${dir} does not exist yet; waiting for it (the first git-sync or push creates it)`;
    log.warn({ dir }, why);
    this.#status = { ...this.#status, valid: false, errors: [{ file: '', line: 0, column: 0, path: '', message: why }] };
    for (;;) {
      await abortableSleep(this.#opts.pollMs, stop);
      if (stop.aborted) return undefined;
      try {
        const found = await this.resolve();
        if (found) return found;
      } catch (err) {
        log.error({ err }, 'reading the manifests directory failed; looking again');
      }
    }
  }

  /** Loads the tree found at start, then watches the directory for new ones. */
  async start(initial: SourceInfo): Promise<void> {
    await this.reload(initial.root, initial.revision, 'start');
    if (this.#opts.stop.aborted) return;
    this.#watcher = await this.#opts.engine.watchSource({
      path: this.#opts.dir,
      debounceMs: this.#opts.debounceMs ?? 300,
      onChange: ({ root, revision }) => this.reload(root, revision, 'change'),
      onError: (err) => this.#opts.logger.warn({ err }, 'watching the manifests directory failed'),
    });
  }

  async close(): Promise<void> {
    await this.#watcher?.close().catch((err: unknown) => this.#opts.logger.warn({ err }, 'closing the watcher failed'));
  }

  /**
   * Loads the tree at `root` and, when valid, makes it the desired state and reports it. An
   * invalid tree changes nothing but the reported status.
   */
  async reload(root: string, revision: string | null, reason: 'start' | 'change'): Promise<void> {
    const { daemonMetrics: metrics, dir } = this.#opts;
    const log = this.#opts.logger.child({ revision, root });
    let loaded: LoadResult;
    try {
      loaded = await this.loadStable(root);
    } catch (err) {
      metrics.reload('error');
      log.error({ err }, 'reading the manifests failed; the last valid state stays in force');
      this.#status = {
        ...this.#status,
        valid: false,
        errors: [{ file: '', line: 0, column: 0, path: '', message: message(err) }],
        rejectedRevision: revision,
      };
      metrics.setManifestsValid(false);
      return;
    }
    if (!loaded.ok) {
      metrics.reload('invalid');
      metrics.setManifestsValid(false);
      this.#status = { ...this.#status, valid: false, errors: [...loaded.errors], rejectedRevision: revision };
      log.error(
        { errors: loaded.errors.map((e) => `${e.file}:${e.line}:${e.column} ${e.path ? `${e.path}: ` : ''}${e.message}`) },
        this.#desired
          ? 'manifests are invalid; the last valid state stays in force'
          : 'manifests are invalid; nothing is reconciled until they are fixed',
      );
      return;
    }

    const next = loaded.desired;
    const previous = this.#desired;
    const diff = diffDesired(previous, next);
    this.#desired = next;
    this.#fingerprints = fingerprints(next);
    this.#status = { path: dir, root, revision, valid: true, errors: [], rejectedRevision: null, loadedAt: new Date().toISOString() };
    metrics.setManifestsValid(true);
    const changed = keysToReconcileAfterReload(
      diff,
      next,
      (key) => {
        const manifest = next.byKey.get(key)?.manifest;
        return manifest ? this.#opts.engine.dependencies(manifest) : [];
      },
      this.#opts.prune,
    );
    metrics.reload(previous === null || changed.length > 0 ? 'applied' : 'unchanged');
    log.info(
      { objects: next.manifests.length, added: diff.added.length, changed: diff.changed.length, removed: diff.removed.length },
      reason === 'start' ? 'manifests loaded' : 'manifests reloaded',
    );
    this.#opts.onLoaded({ previous, desired: next, revision, changed });
  }

  /**
   * Reads the tree until two reads `settleMs` apart agree, so a file caught half-written
   * (which can still parse: "memory: 2" of "memory: 2GiB") is never acted on. An invalid read
   * is returned at once: the watcher reloads again when the writer finishes.
   */
  async loadStable(root: string): Promise<LoadResult> {
    const { engine, stop } = this.#opts;
    const settleMs = this.#opts.settleMs ?? 300;
    let previous = await engine.loadManifests(root);
    for (let attempt = 0; attempt < 5 && previous.ok; attempt++) {
      // Nothing in the tree changed for a whole settle time before it was read: no writer is
      // half-way through it, and waiting to read it again would only delay the start.
      if (settleMs <= 0 || (previous.quietForMs ?? 0) >= settleMs) return previous;
      await abortableSleep(settleMs, stop);
      const again = await engine.loadManifests(root);
      if (!again.ok) return again;
      if (sameDesired(previous.desired, again.desired)) return again;
      previous = again;
    }
    return previous;
  }
}
