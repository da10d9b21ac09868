// The daemon loop behind `virtkeeper run`: keeps a host converged on the manifests in a
// directory. A full sync (on connect, on the resync timer, when something must be pruned) reads
// the host once, builds one plan and runs it with bounded concurrency, like apply. Manifest
// changes, libvirt lifecycle events and retries feed one keyed queue; each key's reconcile
// re-reads only that object (and what it refers to) and plans only it. Decisions that need no
// I/O live in daemon-keys.ts, event-keys.ts, reconcile-decision.ts and convergence.ts; everything
// with side effects goes through a ControllerEngine.
import type { DesiredState, IdentityKey, ManifestError } from '../manifests/types.js';
import type { Logger } from '../observability/logger.js';
import { createMetrics, type Metrics } from '../observability/metrics.js';
import { startHttpServer, type HttpServer } from '../observability/http.js';
import type { LiveResource, ResourceChange } from '../resources/types.js';
import { DEFAULT_CONCURRENCY, type ChangeResult } from './executor.js';
import { SyncGate } from './sync-gate.js';
import { VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE } from '../libvirt/generated/constants.js';
import { DOMAIN_STATS_GROUPS, registerDomainStats } from '../observability/domain-stats.js';
import { virtkeeperVersion } from '../version.js';
import { formatChangeError } from './render/apply.js';
import { AppliedRevision } from './applied-revision.js';
import { ConvergenceGuard } from './convergence.js';
import { backoffDelay, parseQueueKey, WorkQueue, type BackoffOptions } from './queue.js';
import { done, requeueAfter, retry, stalled, type ReconcileResult } from './reconcile-result.js';
import { StatusStore, type StatusSnapshot } from './status.js';
import type { SourceWatcher } from './source-watch.js';
import type { Plan } from './planner.js';
import { diffDesired, fingerprintDigest, fingerprints, keysToReconcileAfterReload, managedKeys, sameDesired } from './daemon-keys.js';
import { expectedEvents, keysForEvent, type LifecycleEventRef } from './event-keys.js';
import { decideForKey, DriftTracker, reportExecution } from './reconcile-decision.js';
import { createDaemonMetrics, type DaemonMetrics } from './daemon-metrics.js';
import type { ControllerEngine, EventSubscription, HostSession, InventoryLocation, LiveUpdate, OwnershipStore, SourceInfo } from './daemon-engine.js';
import type { ListenAddress } from './daemon-options.js';

export interface ControllerOptions {
  /** The manifests directory as configured: a plain directory or a git-sync symlink. */
  dir: string;
  /** libvirt URI. */
  uri: string;
  engine: ControllerEngine;
  /** Delete owned objects whose manifests are gone. Default false. */
  prune?: boolean;
  /** Full resync period in ms; 0 disables it. Default 5 minutes. */
  resyncIntervalMs?: number;
  /** HTTP endpoint; null runs without one. Default 127.0.0.1:9464. */
  listen?: ListenAddress | null;
  /** Keys reconciled in parallel. Default 4. */
  concurrency?: number;
  /** Quiet time after file events before a reload. Default 300 ms. */
  debounceMs?: number;
  /** A reload reads the tree twice this far apart and only accepts identical results. Default 300 ms. */
  settleMs?: number;
  /** Backoff of failing keys. Default 1 s doubling up to 5 min, 20 % jitter. */
  retry?: BackoffOptions;
  /** Backoff between connection attempts. Default 500 ms doubling up to 30 s. */
  reconnect?: { baseMs?: number; maxMs?: number };
  /** Where the state store lives (default <XDG state dir>/virtkeeper/state.db) and the owner of the records. */
  inventory?: InventoryLocation;
  logger: Logger;
  /** Default: a fresh registry. */
  metrics?: Metrics;
  /** Per-domain statistics in /metrics, one libvirt call per scrape (default on). */
  domainStats?: boolean;
}

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

export interface DaemonStatus extends StatusSnapshot {
  ready: boolean;
  /** Why the empty-tree guard holds prune back (one line), or null. */
  pruneBlocked: string | null;
  connection: { uri: string; up: boolean; lastError: string | null };
  source: SourceStatus;
  /**
   * The manifests revision whose every change has been tried since it was loaded (outcomes in
   * `objects`); what `wait-applied` waits for. Null before the first, or without a revision.
   */
  appliedRevision: string | null;
  /** virtkeeper's own version (also `virtkeeper --version` and virtkeeper_build_info). */
  version: string;
}

const DEFAULT_RESYNC_MS = 5 * 60_000;
/** How often a daemon started before its manifests directory exists looks for it. */
const SOURCE_POLL_MS = 1000;
/** How long after a full sync events about the objects it changed may still be its echo. */
const ECHO_GRACE_MS = 2000;
/** The kind of the object an event is about, for matching echoes (node devices have none of ours). */
const ECHO_SUBJECT: Partial<Record<LifecycleEventRef['kind'], string>> = { domain: 'Domain', network: 'Network', storagePool: 'StoragePool' };

class NotConnectedError extends Error {
  override name = 'NotConnectedError';
}

/**
 * How long a key waiting for a dependency waits before it looks again by itself. Only a safety
 * net: the dependency's success wakes its waiters at once (#wakeDependants).
 */
const DEPENDENCY_RECHECK_MS = 30_000;

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class Controller {
  readonly metrics: Metrics;
  readonly #opts: ControllerOptions;
  readonly #engine: ControllerEngine;
  readonly #log: Logger;
  readonly #status = new StatusStore();
  readonly #queue: WorkQueue;
  readonly #drift = new DriftTracker();
  readonly #convergence = new ConvergenceGuard();
  readonly #applied = new AppliedRevision();
  /** Load generation of #desired (AppliedRevision.loaded). */
  #desiredGeneration = 0;
  /** key → retry time of the stall verdict last written to the state store. */
  readonly #persistedStalls = new Map<IdentityKey, number>();
  readonly #daemonMetrics: DaemonMetrics;
  readonly #prune: boolean;
  readonly #concurrency: number;
  readonly #stop = new AbortController();
  /** Resolves when stop() begins; unlike an abort listener it also works when awaited late. */
  readonly #stopped = new Promise<null>((resolve) => this.#stop.signal.addEventListener('abort', () => resolve(null), { once: true }));
  /** Resolved by stop() once in-flight reconciles finished: only then may the connection close. */
  #markDrained!: () => void;
  readonly #drained = new Promise<void>((resolve) => (this.#markDrained = resolve));

  #desired: DesiredState | null = null;
  #fingerprints = new Map<IdentityKey, string>();
  #source: SourceStatus;
  #session: HostSession | null = null;
  #inventory: OwnershipStore | null = null;
  #inventoryHost: string | null = null;
  #subscription: EventSubscription | null = null;
  /** The host as last read: whole by a full sync, one key at a time by per-key reconciles. */
  #live: Map<IdentityKey, LiveResource> | null = null;
  /** Full syncs run alone; per-key reconciles side by side (see SyncGate). */
  readonly #gate = new SyncGate();
  /**
   * Events a full sync's own changes make libvirt send (1,000 domain starts send 2,000), by key,
   * until shortly after it ends: their echo is not news and costs no reconcile.
   */
  readonly #echoes = new Map<IdentityKey, { events: string[]; until: number }>();
  #connectionError: string | null = null;
  #http: HttpServer | null = null;
  #watcher: SourceWatcher | null = null;
  #resyncTimer: NodeJS.Timeout | null = null;
  #connectionLoop: Promise<void> | null = null;
  /** A start that waits for its manifests directory to appear. */
  #beginning: Promise<void> | null = null;
  #syncing: Promise<void> | null = null;
  #syncAgain = false;
  #pruneBlocked: string | null = null;
  #ready = false;
  #readyWaiters: Array<() => void> = [];
  /** dependency key → keys waiting for its change to succeed. */
  readonly #blocked = new Map<IdentityKey, Set<IdentityKey>>();
  #stopping: Promise<void> | null = null;
  /** Sessions whose connection has ended: failures seen through them say nothing about objects. */
  readonly #deadSessions = new WeakSet<HostSession>();

  constructor(opts: ControllerOptions) {
    this.#opts = opts;
    this.#engine = opts.engine;
    this.#log = opts.logger;
    this.#prune = opts.prune ?? false;
    this.#concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
    this.metrics = opts.metrics ?? createMetrics();
    this.#daemonMetrics = createDaemonMetrics(this.metrics);
    this.metrics.countManagedObjectsFrom(() => this.#status.objects());
    if (opts.domainStats !== false) {
      registerDomainStats(
        this.metrics.registry,
        {
          fetch: () => {
            const session = this.#session;
            if (!session) return Promise.reject(new NotConnectedError('not connected to libvirt'));
            return session.client.getAllDomainStats(DOMAIN_STATS_GROUPS, VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE);
          },
        },
        { onError: (err) => this.#log.debug({ err: message(err) }, 'domain statistics unavailable for this scrape') },
      );
    }
    this.#source = { path: opts.dir, root: null, revision: null, valid: false, errors: [], rejectedRevision: null, loadedAt: null };
    this.#queue = new WorkQueue({
      handler: (key) => this.#reconcile(key),
      concurrency: this.#concurrency,
      backoff: { baseMs: 1000, maxMs: 5 * 60_000, jitter: 0.2, ...opts.retry },
    });
    this.#queue.on('depth', (depth) => this.metrics.setQueueDepth(depth));
    this.#queue.on('retry', ({ key, attempt, delayMs }) => this.#log.debug({ key, attempt, delayMs }, 'reconcile retry scheduled'));
    this.#queue.on('requeue', ({ key, delayMs, reason }) => this.#log.debug({ key, delayMs, reason }, 'reconcile requeued'));
  }

  /** Creates and starts a controller; resolves once the HTTP port is open and the first load ran. */
  static async start(opts: ControllerOptions): Promise<Controller> {
    const controller = new Controller(opts);
    try {
      await controller.start();
    } catch (err) {
      await controller.stop();
      throw err;
    }
    return controller;
  }

  /** Base URL of the HTTP endpoint, e.g. http://127.0.0.1:9464; undefined without one. */
  get url(): string | undefined {
    return this.#http?.url;
  }

  get ready(): boolean {
    return this.#ready;
  }

  get connected(): boolean {
    return this.#session !== null;
  }

  /** The desired state in force (the last valid load). */
  get desired(): DesiredState | null {
    return this.#desired;
  }

  async start(): Promise<void> {
    this.metrics.setLibvirtConnectionUp(false);
    const listen = this.#opts.listen === undefined ? { host: '127.0.0.1', port: 9464 } : this.#opts.listen;
    if (listen !== null) {
      this.#http = await startHttpServer({
        host: listen.host,
        port: listen.port,
        metrics: this.metrics,
        status: () => this.status(),
        onError: (err, path) => this.#log.error({ err, path }, 'HTTP handler failed'),
      });
      this.#log.info({ url: this.#http.url }, 'serving /metrics /healthz /readyz /status');
    }

    const initial = await this.#sourceIfPresent();
    // Not there yet: start() returns (HTTP is up, not ready) and the rest begins once it appears.
    if (initial) await this.#begin(initial);
    else {
      this.#beginning = this.#awaitSource()
        .then((found) => (found ? this.#begin(found) : undefined))
        .catch((err: unknown) => this.#log.error({ err }, 'starting on the manifests directory failed; restart the daemon'));
    }
  }

  /** Loads the manifests, watches them, and starts the resync timer and the connection loop. */
  async #begin(initial: SourceInfo): Promise<void> {
    await this.#reload(initial.root, initial.revision, 'start');
    if (this.#stop.signal.aborted) return;
    this.#watcher = await this.#engine.watchSource({
      path: this.#opts.dir,
      debounceMs: this.#opts.debounceMs ?? 300,
      onChange: ({ root, revision }) => this.#reload(root, revision, 'change'),
      onError: (err) => this.#log.warn({ err }, 'watching the manifests directory failed'),
    });

    const resyncMs = this.#opts.resyncIntervalMs ?? DEFAULT_RESYNC_MS;
    if (resyncMs > 0) {
      this.#resyncTimer = setInterval(() => {
        if (this.#session) void this.fullSync('resync');
      }, resyncMs);
    }
    this.#connectionLoop = this.#runConnectionLoop();
  }

  /**
   * The manifests directory, once it exists. A daemon may start before the first git-sync or
   * push creates it: it then serves HTTP (not ready, the reason under `source` in /status) and
   * looks again every SOURCE_POLL_MS. Undefined when stopped while waiting.
   */
  async #awaitSource(): Promise<SourceInfo | undefined> {
    const why = `${this.#opts.dir} does not exist yet; waiting for it (the first git-sync or push creates it)`;
    this.#log.warn({ dir: this.#opts.dir }, why);
    this.#source = { ...this.#source, valid: false, errors: [{ file: '', line: 0, column: 0, path: '', message: why }] };
    for (;;) {
      await abortableSleep(SOURCE_POLL_MS, this.#stop.signal);
      if (this.#stop.signal.aborted) return undefined;
      try {
        const found = await this.#sourceIfPresent();
        if (found) return found;
      } catch (err) {
        this.#log.error({ err }, 'reading the manifests directory failed; looking again');
      }
    }
  }

  /** The source, or undefined while its path does not exist. */
  async #sourceIfPresent(): Promise<SourceInfo | undefined> {
    try {
      return await this.#engine.resolveSource(this.#opts.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Resolves when the first full sync has completed (or rejects after `timeoutMs`). */
  whenReady(timeoutMs = 60_000): Promise<void> {
    if (this.#ready) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`controller not ready after ${timeoutMs} ms`)), timeoutMs);
      this.#readyWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Resolves when no key is waiting or running (keys in backoff do not count). */
  whenIdle(): Promise<void> {
    return this.#queue.onIdle();
  }

  status(): DaemonStatus {
    return {
      ...this.#status.snapshot(),
      ready: this.#ready,
      pruneBlocked: this.#pruneBlocked,
      connection: { uri: this.#opts.uri, up: this.#session !== null, lastError: this.#connectionError },
      source: { ...this.#source, errors: [...this.#source.errors] },
      appliedRevision: this.#applied.revision,
      version: virtkeeperVersion(),
    };
  }

  /**
   * Enqueues every managed key and waits for the queue to drain; a second request during a
   * pass runs one more pass after it. The first completed pass makes the daemon ready.
   */
  fullSync(reason: string): Promise<void> {
    if (this.#syncing) {
      this.#syncAgain = true;
      return this.#syncing;
    }
    this.#syncing = (async () => {
      try {
        do {
          this.#syncAgain = false;
          await this.#syncPass(reason);
        } while (this.#syncAgain && !this.#stop.signal.aborted);
      } finally {
        this.#syncing = null;
      }
    })();
    return this.#syncing;
  }

  async #syncPass(reason: string): Promise<void> {
    if (!this.#desired || !this.#session || !this.#inventory) return;
    const session = this.#session;
    let generation = 0;
    const completed = await this.#gate.exclusive(() => {
      generation = this.#desiredGeneration; // #syncOnce takes this.#desired in this same tick
      return this.#syncOnce(reason, session);
    });
    // A pass cut short by a lost connection or shutdown proves nothing about the host.
    if (!completed || this.#session !== session || this.#stop.signal.aborted) return;
    this.#applied.fullSyncDone(generation);
    const counts = this.#status.counts();
    if (counts.failed === 0) this.metrics.setLastSuccessfulSync(new Date(this.#status.markSynced()));
    this.#log.info({ reason, ...counts }, 'full sync done');
    if (!this.#ready) {
      this.#ready = true;
      this.#http?.markReady();
      this.#daemonMetrics.setReady(true);
      for (const wake of this.#readyWaiters.splice(0)) wake();
    }
  }

  /**
   * One read of the host, one plan, run like apply. Failed changes go to the queue, which retries
   * them one key at a time with backoff. False when the pass could not complete.
   */
  async #syncOnce(reason: string, session: HostSession): Promise<boolean> {
    const desired = this.#desired;
    const inventory = this.#inventory;
    if (!desired || !inventory || this.#session !== session) return false;
    const log = this.#log.child({ sync: reason });
    const started = performance.now();
    log.info({ reason, objects: desired.manifests.length }, 'full sync');

    let plan: Plan;
    try {
      const live = await this.#engine.readLive(session);
      this.#live = new Map(live);
      const secretValues = await this.#engine.assessSecrets?.(desired);
      plan = this.#engine.plan({ desired, live, inventory: inventory.snapshot, prune: this.#prune, settleIntents: true, ...(secretValues ? { secretValues } : {}) });
    } catch (err) {
      if (this.#session !== session || this.#deadSessions.has(session)) return false;
      log.warn({ err: message(err) }, 'full sync could not read or plan the host; retrying');
      this.#fullSyncRetry();
      return false;
    }
    this.#setPruneBlocked(plan.pruneBlocked ?? null, log);

    // Recorded objects neither desired nor on the host any more: nothing left to report.
    for (const key of plan.forgotten) this.#leaveManagement(key, desired);
    const planned = new Set(plan.changes.map((c) => c.key));
    for (const { key } of plan.retained) if (!planned.has(key) && !desired.byKey.has(key)) this.#leaveManagement(key, desired);

    const errorsByKey = new Map<IdentityKey, string>();
    const planWide = plan.errors.filter((e) => e.key === undefined).map((e) => e.message);
    for (const e of plan.errors) if (e.key !== undefined) errorsByKey.set(e.key, [errorsByKey.get(e.key), e.message].filter(Boolean).join('; '));
    for (const [key, msg] of errorsByKey) {
      const { kind, name } = parseQueueKey(key);
      this.#fail(key, kind, name, 0, msg, log);
    }
    if (planWide.length > 0) {
      // A dependency cycle: no change can be ordered, so none runs; every key is failed with it.
      for (const change of plan.changes) {
        const { kind, name } = parseQueueKey(change.key);
        this.#fail(change.key, kind, name, 0, planWide.join('; '), log);
      }
      return true;
    }

    const held = new Set(plan.changes.filter((c) => !errorsByKey.has(c.key) && this.#heldBack(c, log) !== null).map((c) => c.key));
    const runnable: Plan = { ...plan, changes: plan.changes.filter((c) => !errorsByKey.has(c.key) && !held.has(c.key)), errors: [] };
    const byKey = new Map(runnable.changes.map((c) => [c.key, c] as const));
    for (const change of runnable.changes) this.#noteDrift(change, log);
    const changing = runnable.changes.filter((c) => c.action !== 'no-op');
    for (const change of changing) this.#echoes.set(change.key, { events: expectedEvents(change), until: Infinity });
    let report;
    try {
      report = await this.#engine.execute(runnable, session, desired, inventory, this.#concurrency);
    } catch (err) {
      if (this.#session !== session || this.#deadSessions.has(session)) return false;
      log.warn({ err: message(err) }, 'full sync could not run its plan; retrying');
      this.#fullSyncRetry();
      return false;
    }
    // Events are sent as things happen and replies may overtake them: allow them a moment to arrive.
    const echoUntil = Date.now() + ECHO_GRACE_MS;
    for (const change of changing) {
      const echo = this.#echoes.get(change.key);
      if (echo) echo.until = echoUntil;
    }
    if (this.#session !== session || this.#deadSessions.has(session)) return false;
    for (const result of report.results) {
      const change = byKey.get(result.key);
      if (!change) continue;
      const next = this.#recordResult(change, result, started, log.child({ key: result.key }));
      if (next.type === 'retry') this.#queue.add(result.key);
    }
    return true;
  }

  /** A full sync that failed as a whole is tried again after the first backoff step. */
  #fullSyncRetry(): void {
    const timer = setTimeout(() => {
      if (this.#session && !this.#stop.signal.aborted) void this.fullSync('retry');
    }, this.#opts.retry?.baseMs ?? 1000);
    timer.unref();
  }

  #managedKeys(): IdentityKey[] {
    return managedKeys(this.#desired, Object.keys(this.#inventory?.snapshot.objects ?? {}), this.#prune);
  }

  #managedMemo: { desired: DesiredState | null; records: object | undefined; keys: ReadonlySet<IdentityKey> } | null = null;

  /** The managed keys as a set, rebuilt only when the manifests or the records changed: every event asks. */
  #managedSet(): ReadonlySet<IdentityKey> {
    const records = this.#inventory?.snapshot.objects;
    const memo = this.#managedMemo;
    if (memo && memo.desired === this.#desired && memo.records === records) return memo.keys;
    const keys = new Set(this.#managedKeys());
    this.#managedMemo = { desired: this.#desired, records, keys };
    return keys;
  }

  // ------------------------------------------------------------------ manifests

  /**
   * Loads the tree at `root` and, when valid and different, makes it the desired state and
   * enqueues what changed. An invalid tree changes nothing but the reported status.
   */
  async #reload(root: string, revision: string | null, reason: 'start' | 'change'): Promise<void> {
    const log = this.#log.child({ revision, root });
    let loaded: Awaited<ReturnType<Controller['loadStable']>>;
    try {
      loaded = await this.loadStable(root);
    } catch (err) {
      this.#daemonMetrics.reload('error');
      log.error({ err }, 'reading the manifests failed; the last valid state stays in force');
      this.#source = { ...this.#source, valid: false, errors: [{ file: '', line: 0, column: 0, path: '', message: message(err) }], rejectedRevision: revision };
      this.#daemonMetrics.setManifestsValid(false);
      return;
    }
    if (!loaded.ok) {
      this.#daemonMetrics.reload('invalid');
      this.#daemonMetrics.setManifestsValid(false);
      this.#source = { ...this.#source, valid: false, errors: [...loaded.errors], rejectedRevision: revision };
      log.error(
        { errors: loaded.errors.map((e) => `${e.file}:${e.line}:${e.column} ${e.path ? `${e.path}: ` : ''}${e.message}`) },
        this.#desired ? 'manifests are invalid; the last valid state stays in force' : 'manifests are invalid; nothing is reconciled until they are fixed',
      );
      return;
    }

    const next = loaded.desired;
    const prev = this.#desired;
    const diff = diffDesired(prev, next);
    this.#desired = next;
    this.#fingerprints = fingerprints(next);
    this.#source = { path: this.#opts.dir, root, revision, valid: true, errors: [], rejectedRevision: null, loadedAt: new Date().toISOString() };
    this.#daemonMetrics.setManifestsValid(true);
    this.#status.setRevision(revision);
    this.metrics.setGitRevision(revision);
    this.#status.replaceDesired(next.manifests.map((m) => parseQueueKey(m.key)));

    const enqueue = keysToReconcileAfterReload(
      diff,
      next,
      (key) => {
        const manifest = next.byKey.get(key)?.manifest;
        return manifest ? this.#engine.dependencies(manifest) : [];
      },
      this.#prune,
    );
    this.#daemonMetrics.reload(prev === null || enqueue.length > 0 ? 'applied' : 'unchanged');
    log.info(
      { objects: next.manifests.length, added: diff.added.length, changed: diff.changed.length, removed: diff.removed.length },
      reason === 'start' ? 'manifests loaded' : 'manifests reloaded',
    );
    if (prev === null) {
      // The first valid tree: a full sync (once connected) covers everything.
      this.#desiredGeneration = this.#applied.loaded(revision, [], true);
      if (this.#session) void this.fullSync('manifests loaded');
      return;
    }
    // Records without a manifest are pruned by full syncs only, where the empty-tree guard weighs
    // them all at once (a guard held back earlier may let go now that manifests came back).
    const inventory = this.#inventory;
    const pruneSync = this.#prune && this.#session !== null && inventory !== null && Object.keys(inventory.snapshot.objects).some((key) => !next.byKey.has(key));
    this.#desiredGeneration = this.#applied.loaded(revision, enqueue, pruneSync);
    for (const key of enqueue) this.#queue.add(key, { immediate: true });
    if (pruneSync) void this.fullSync('manifests changed');
  }

  /**
   * Reads the tree until two reads `settleMs` apart agree, so a file caught half-written
   * (which can still parse: "memory: 2" of "memory: 2GiB") is never acted on. An invalid read
   * is returned at once: the watcher reloads again when the writer finishes.
   */
  async loadStable(root: string): Promise<Awaited<ReturnType<ControllerEngine['loadManifests']>>> {
    const settleMs = this.#opts.settleMs ?? 300;
    let previous = await this.#engine.loadManifests(root);
    for (let attempt = 0; attempt < 5 && previous.ok; attempt++) {
      // Nothing in the tree changed for a whole settle time before it was read: no writer is
      // half-way through it, and waiting to read it again would only delay the start.
      if (settleMs <= 0 || (previous.quietForMs ?? 0) >= settleMs) return previous;
      await abortableSleep(settleMs, this.#stop.signal);
      const again = await this.#engine.loadManifests(root);
      if (!again.ok) return again;
      if (sameDesired(previous.desired, again.desired)) return again;
      previous = again;
    }
    return previous;
  }

  // ------------------------------------------------------------------ libvirt connection

  async #runConnectionLoop(): Promise<void> {
    const baseMs = this.#opts.reconnect?.baseMs ?? 500;
    const maxMs = this.#opts.reconnect?.maxMs ?? 30_000;
    let attempt = 0;
    while (!this.#stop.signal.aborted) {
      let session: HostSession;
      try {
        session = await this.#engine.connect(this.#opts.uri, (procedure, ms) => this.metrics.observeLibvirtCall(procedure, ms / 1000));
      } catch (err) {
        attempt++;
        this.#connectionError = message(err);
        const delayMs = backoffDelay(attempt, baseMs, maxMs);
        this.#log.warn({ err: message(err), attempt, delayMs }, 'cannot connect to libvirt; retrying');
        await abortableSleep(delayMs, this.#stop.signal);
        continue;
      }
      if (this.#stop.signal.aborted) {
        await session.close().catch(() => undefined);
        break;
      }
      try {
        await this.#establish(session);
      } catch (err) {
        attempt++;
        this.#connectionError = message(err);
        this.#log.warn({ err: message(err), attempt }, 'setting up the libvirt connection failed; reconnecting');
        await this.#teardown(session);
        await abortableSleep(backoffDelay(attempt, baseMs, maxMs), this.#stop.signal);
        continue;
      }
      attempt = 0;
      this.#connectionError = null;
      void this.fullSync('connected');

      const ended = await Promise.race([session.disconnected, this.#stopped]);
      if (ended === null) {
        await this.#drained;
        await this.#teardown(session);
        break;
      }
      this.#connectionError = ended.error ? `${ended.reason}: ${ended.error.message}` : ended.reason;
      this.#log.warn({ reason: ended.reason, err: ended.error?.message }, 'lost the libvirt connection; reconnecting');
      await this.#teardown(session);
      await abortableSleep(baseMs, this.#stop.signal);
    }
  }

  async #establish(session: HostSession): Promise<void> {
    const inventory = await this.#engine.openInventory(session, { source: this.#opts.dir, ...this.#opts.inventory });
    // Keep the store across reconnects to the same host, so its writes stay in one order.
    if (!this.#inventory || this.#inventoryHost !== inventory.snapshot.host.key) {
      await this.#inventory?.flush().catch(() => undefined);
      this.#inventory = inventory;
      this.#inventoryHost = inventory.snapshot.host.key;
    }
    void session.disconnected.then(() => this.#deadSessions.add(session));
    this.#live = null;
    this.#session = session;
    this.#subscription = await this.#engine.subscribe(session, (event) => this.#onEvent(event));
    this.metrics.setLibvirtConnectionUp(true);
    this.#log.info({ uri: this.#opts.uri, host: this.#inventoryHost }, 'connected to libvirt; events subscribed');
  }

  async #teardown(session: HostSession): Promise<void> {
    if (this.#session === session) this.#session = null;
    this.metrics.setLibvirtConnectionUp(false);
    if (this.#ready) {
      // Not ready while we cannot act; a post-reconnect full sync makes us ready again.
      this.#ready = false;
      this.#http?.markNotReady();
      this.#daemonMetrics.setReady(false);
    }
    const subscription = this.#subscription;
    this.#subscription = null;
    await subscription?.dispose().catch(() => undefined);
    await session.close().catch(() => undefined);
  }

  /** True (and that echo used up) when the event is one the last full sync's change of `key` caused. */
  #isEcho(key: IdentityKey, event: LifecycleEventRef, now: number): boolean {
    const echo = this.#echoes.get(key);
    if (!echo) return false;
    if (echo.until <= now) {
      this.#echoes.delete(key);
      return false;
    }
    const index = event.event === undefined ? -1 : echo.events.indexOf(event.event);
    if (index < 0) return false;
    echo.events.splice(index, 1);
    if (echo.events.length === 0) this.#echoes.delete(key);
    return true;
  }

  #onEvent(event: LifecycleEventRef): void {
    if (this.#stop.signal.aborted) return;
    // A pool's event also concerns its volumes: its echo is theirs too.
    const subject = ECHO_SUBJECT[event.kind];
    if (subject && this.#isEcho(`${subject}/${event.name}`, event, Date.now())) return;
    const keys = keysForEvent(event, this.#desired, this.#managedSet());
    for (const key of keys) this.#convergence.touched(key);
    this.#log.debug({ event, keys }, 'libvirt event');
    for (const key of keys) this.#queue.add(key);
  }

  // ------------------------------------------------------------------ one key

  #reconcile(key: IdentityKey): Promise<ReconcileResult> {
    return this.#gate.shared(async () => {
      // Before the first full sync's read the key is left to that sync, which covers it.
      const counts = this.#live !== null;
      let result: ReconcileResult;
      try {
        result = await this.#reconcileKey(key);
      } catch (err) {
        result = retry(err);
      }
      // Waiting for a dependency or for libvirt is no outcome yet; a failure is one.
      if (counts && result.type !== 'requeueAfter') this.#applied.attempted(key);
      return result;
    });
  }

  /** Not connected, or the connection went away under a reconcile: the reconnect's full sync covers the key. */
  #waitForConnection(why: string): ReconcileResult {
    return requeueAfter(this.#opts.retry?.baseMs ?? 1000, why);
  }

  /**
   * One key: re-read that object and what its manifest refers to, plan only those, run this
   * key's change. Deletions are left to full syncs, where the empty-tree guard sees them all.
   */
  async #reconcileKey(key: IdentityKey): Promise<ReconcileResult> {
    const desired = this.#desired;
    const session = this.#session;
    const inventory = this.#inventory;
    const live = this.#live;
    if (!desired) return done;
    if (!session || !inventory) return this.#waitForConnection('not connected to libvirt');
    // Not read yet: the full sync under way (or the next one) covers this key.
    if (!live) return done;

    const { kind, name } = parseQueueKey(key);
    const log = this.#log.child({ key });
    const started = performance.now();
    const seconds = (): number => (performance.now() - started) / 1000;

    const loaded = desired.byKey.get(key);
    if (!loaded) {
      if (this.#prune && key in inventory.snapshot.objects) {
        void this.fullSync(`prune ${key}`);
        return done;
      }
      this.#leaveManagement(key, desired);
      return done;
    }

    let plan: Plan;
    const scope = [key, ...this.#engine.dependencies(loaded.manifest)];
    try {
      for (const k of scope) this.#applyLiveUpdate(live, await this.#engine.readFor(session, k));
      const only = new Set(scope);
      const secretValues = await this.#engine.assessSecrets?.(desired, only);
      plan = this.#engine.plan({ desired, live, inventory: inventory.snapshot, prune: false, only, settleIntents: false, ...(secretValues ? { secretValues } : {}) });
    } catch (err) {
      // The connection went away under us: not the object's fault, and the reconnect resyncs it.
      if (this.#session !== session || this.#deadSessions.has(session)) return this.#waitForConnection(message(err));
      this.#fail(key, kind, name, seconds(), message(err), log);
      return retry(err);
    }

    const decision = decideForKey(plan, key);
    switch (decision.type) {
      case 'absent':
        return done;
      case 'error':
        this.#fail(key, kind, name, seconds(), decision.message, log);
        return retry(new Error(decision.message));
      case 'blocked':
        for (const dep of decision.waitingFor) {
          let waiting = this.#blocked.get(dep);
          if (!waiting) this.#blocked.set(dep, (waiting = new Set()));
          waiting.add(key);
          this.#queue.add(dep);
        }
        if (this.#status.get(kind, name)?.state !== 'failed') this.#status.record(kind, name, { state: 'out-of-sync' });
        log.debug({ waitingFor: decision.waitingFor }, 'waiting for dependencies');
        return requeueAfter(Math.min(DEPENDENCY_RECHECK_MS, this.#opts.retry?.maxMs ?? DEPENDENCY_RECHECK_MS), `waiting for ${decision.waitingFor.join(', ')}`);
      case 'apply': {
        const stall = this.#heldBack(decision.change, log);
        if (stall !== null) return stalled(stall);
        return this.#apply(decision.change, plan, desired, session, inventory, started, log);
      }
    }
  }

  /** Why the convergence guard holds the change back (the object is stalled, see convergence.ts), or null. */
  #heldBack(change: ResourceChange, log: Logger): string | null {
    const verdict = this.#convergence.check(change, this.#fingerprints.get(change.key));
    if (!verdict.stalled) return null;
    const { kind, name } = parseQueueKey(change.key);
    const previous = this.#status.get(kind, name);
    this.#status.record(kind, name, { state: 'stalled', error: { code: 'stalled', message: verdict.message } });
    this.#daemonMetrics.setStalledObjects(this.#convergence.stalledCount);
    this.#persistStall(change.key, verdict.message, verdict.retryAt);
    if (previous?.state !== 'stalled') log.warn({ key: change.key, reason: verdict.message, retryAt: new Date(verdict.retryAt).toISOString() }, 'stalled: not applying the change again');
    return verdict.message;
  }

  /** Leaves the verdict in the state store for plan and apply; written again only when it changes. */
  #persistStall(key: IdentityKey, message: string, retryAt: number): void {
    const fingerprint = this.#fingerprints.get(key);
    if (this.#persistedStalls.get(key) === retryAt || fingerprint === undefined) return;
    this.#persistedStalls.set(key, retryAt);
    this.#inventory?.stalls?.mark(key, { manifestDigest: fingerprintDigest(fingerprint), message, retryAt: new Date(retryAt) });
  }

  #dropPersistedStall(key: IdentityKey): void {
    if (!this.#persistedStalls.delete(key)) return;
    this.#inventory?.stalls?.clear(key);
  }

  #applyLiveUpdate(live: Map<IdentityKey, LiveResource>, update: LiveUpdate): void {
    if (update.scope === 'object') {
      if (update.object) live.set(update.key, update.object);
      else live.delete(update.key);
      return;
    }
    for (const [k, object] of live) if (object.kind === update.kind) live.delete(k);
    for (const object of update.objects) live.set(object.key, object);
  }

  /** The key is neither desired nor left to prune: drop its status. */
  #leaveManagement(key: IdentityKey, desired: DesiredState): void {
    if (desired.byKey.has(key)) return;
    const { kind, name } = parseQueueKey(key);
    this.#status.remove(kind, name);
    this.#drift.forget(key);
    this.#convergence.forget(key);
    this.#dropPersistedStall(key);
  }

  #noteDrift(change: ResourceChange, log: Logger): void {
    if (change.action === 'no-op' || !this.#drift.differencesFound(change.key, this.#fingerprints.get(change.key))) return;
    this.metrics.driftDetected(change.kind);
    log.info({ key: change.key, action: change.action, reason: change.reason }, 'drift detected');
  }

  async #apply(
    change: ResourceChange,
    plan: Plan,
    desired: DesiredState,
    session: HostSession,
    inventory: OwnershipStore,
    started: number,
    log: Logger,
  ): Promise<ReconcileResult> {
    const key = change.key;
    this.#noteDrift(change, log);
    const single: Plan = {
      changes: [change],
      waitsFor: new Map([[key, []]]),
      summary: plan.summary,
      errors: [],
      retained: [],
      forgotten: [],
    };
    const echo = { events: expectedEvents(change), until: Infinity };
    if (change.action !== 'no-op') this.#echoes.set(key, echo);
    let report;
    try {
      report = await this.#engine.execute(single, session, desired, inventory);
    } finally {
      echo.until = Date.now() + ECHO_GRACE_MS;
    }
    const result = report.results[0];
    if (!result) throw new Error(`executor returned no result for ${key}`);
    if (result.outcome === 'failed' && (this.#session !== session || this.#deadSessions.has(session))) {
      log.info({ error: result.error }, 'connection lost during reconcile; the reconnect resyncs this object');
      return this.#waitForConnection('connection lost during reconcile');
    }
    return this.#recordResult(change, result, started, log);
  }

  /** Status, metrics, logs and dependants of one executed change, and what the queue does next. */
  #recordResult(change: ResourceChange, result: ChangeResult, started: number, log: Logger): ReconcileResult {
    // Status and metrics name objects by their queue key: a volume's change.name lacks its pool.
    const key = change.key;
    const { kind, name } = parseQueueKey(key);
    const fingerprint = this.#fingerprints.get(key);
    const reported = reportExecution(change, result.outcome, result.error);
    // For `virtkeeper status`; the store writes only what differs from what it holds.
    this.#inventory?.recordOutcome?.(key, result.outcome, result.error ? formatChangeError(result.error) : undefined);
    this.metrics.observeReconcile(kind, reported.result, (performance.now() - started) / 1000);

    const previous = this.#status.get(kind, name);
    if (reported.status === null) {
      this.#status.remove(kind, name);
      this.#drift.forget(key);
    } else {
      this.#status.record(kind, name, reported.status);
      if (reported.status.state === 'synced') this.#drift.synced(key, fingerprint);
    }

    if (result.outcome === 'succeeded') {
      log.info({ action: change.action, steps: change.steps.map((s) => s.description), restartRequired: change.restartRequired }, 'reconciled');
    } else if (result.outcome === 'unchanged') {
      log.debug('in sync');
    } else {
      // The same failure again (a retry, a dependant re-checking it) is not news.
      const repeated = (previous?.state === 'failed' || previous?.state === 'refused') && previous.lastError?.message === result.error?.message;
      log[repeated ? 'debug' : 'warn']({ outcome: result.outcome, error: result.error }, 'reconcile did not converge');
    }

    if (result.outcome === 'succeeded') this.#convergence.changed(change, fingerprint);
    else if (result.outcome === 'unchanged' && change.action === 'no-op') {
      this.#convergence.converged(key);
      this.#dropPersistedStall(key);
    }
    this.#daemonMetrics.setStalledObjects(this.#convergence.stalledCount);
    if (result.outcome === 'succeeded' || result.outcome === 'unchanged') this.#wakeDependants(key);
    return reported.next;
  }

  #wakeDependants(key: IdentityKey): void {
    const waiting = this.#blocked.get(key);
    if (!waiting) return;
    this.#blocked.delete(key);
    for (const dependant of waiting) this.#queue.add(dependant, { immediate: true });
  }

  #fail(key: IdentityKey, kind: string, name: string, seconds: number, msg: string, log: Logger): void {
    this.metrics.observeReconcile(kind, 'error', seconds);
    this.#status.record(kind, name, { state: 'failed', error: { message: msg } });
    log.warn({ err: msg }, 'reconcile failed');
  }

  #setPruneBlocked(reason: string | null, log: Logger): void {
    if (reason === this.#pruneBlocked) return;
    this.#pruneBlocked = reason;
    this.#daemonMetrics.setPruneBlocked(reason !== null);
    if (reason !== null) {
      log.warn({ reason }, 'prune blocked by the empty-tree guard; nothing is deleted');
      return;
    }
    // The full sync that lifted the guard runs the deletions it held back in the same plan.
    log.info('prune no longer blocked');
  }

  // ------------------------------------------------------------------ shutdown

  /**
   * Graceful stop: no new work, in-flight actions finish, then the watcher, the libvirt
   * connection and the HTTP server close. Idempotent.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#doStop();
    return this.#stopping;
  }

  async #doStop(): Promise<void> {
    this.#log.info('stopping: finishing in-flight reconciles');
    this.#stop.abort();
    await this.#beginning?.catch(() => undefined);
    if (this.#resyncTimer) clearInterval(this.#resyncTimer);
    await this.#watcher?.close().catch((err: unknown) => this.#log.warn({ err }, 'closing the watcher failed'));
    await this.#queue.shutdown();
    this.#markDrained();
    // A connection attempt in progress (ssh can take long to fail) must not hold up the exit;
    // if it succeeds later, the loop sees the stop and closes it.
    await Promise.race([this.#connectionLoop, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    if (this.#session) await this.#teardown(this.#session);
    const inventory = this.#inventory;
    await (inventory?.close ? inventory.close() : inventory?.flush())?.catch((err: unknown) => this.#log.error({ err }, 'writing the state store failed'));
    await this.#http?.close().catch(() => undefined);
    this.#log.info('stopped');
  }
}
