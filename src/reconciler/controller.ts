// The daemon loop behind `virtkeeper run`: keeps a host converged on the manifests in a
// directory. A thin composition of its pieces, each with one job:
// - ManifestSource (daemon-source.ts): finds, watches and loads the manifests; swaps the desired state.
// - ConnectionLoop (daemon-connection.ts): connects to libvirt, subscribes to events, reconnects with backoff.
// - FullSync (daemon-full-sync.ts): reads the whole host once, plans it, runs the plan like apply.
// - KeyReconciler (daemon-key-reconcile.ts): one key's read, plan and change, as a ReconcileResult.
// - WorkQueue (queue.ts) with its rate limiter: acts on each key's ReconcileResult.
// - ObjectBookkeeping (daemon-bookkeeping.ts): /status, metrics and stall verdicts of each outcome.
// The controller routes between them: manifest loads and libvirt events become queued keys,
// connections become full syncs, full syncs make the daemon ready. Everything with side effects
// goes through a ControllerEngine.
import type { ReconcileParts } from './daemon-parts.js';
import type { DesiredState, IdentityKey } from '../manifests/types.js';
import type { Logger } from '../observability/logger.js';
import { createMetrics, type Metrics } from '../observability/metrics.js';
import { startHttpServer, type HttpServer } from '../observability/http.js';
import { DEFAULT_CONCURRENCY } from './executor.js';
import { SyncGate } from './sync-gate.js';
import { VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE } from '../libvirt/generated/constants.js';
import { DOMAIN_STATS_GROUPS, registerDomainStats } from '../observability/domain-stats.js';
import { virtkeeperVersion } from '../version.js';
import { AppliedRevision } from './applied-revision.js';
import { parseQueueKey, WorkQueue, type BackoffOptions } from './queue.js';
import type { StatusSnapshot } from './status.js';
import { managedKeys } from './daemon-keys.js';
import { echoKey, keysForEvent, type LifecycleEventRef } from './event-keys.js';
import { createDaemonMetrics, type DaemonMetrics } from './daemon-metrics.js';
import type { ControllerEngine, InventoryLocation, LoadResult, SourceInfo } from './daemon-engine.js';
import type { ListenAddress } from './daemon-options.js';
import { message } from './daemon-async.js';
import { ObjectBookkeeping } from './daemon-bookkeeping.js';
import { ConnectionLoop } from './daemon-connection.js';
import { EchoFilter } from './daemon-echoes.js';
import { FullSync } from './daemon-full-sync.js';
import { DEPENDENCY_RECHECK_MS, KeyReconciler } from './daemon-key-reconcile.js';
import { ManifestSource, type DesiredLoad, type SourceStatus } from './daemon-source.js';

export type { SourceStatus } from './daemon-source.js';

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

class NotConnectedError extends Error {
  override name = 'NotConnectedError';
}

export class Controller {
  readonly metrics: Metrics;
  readonly #opts: ControllerOptions;
  readonly #log: Logger;
  readonly #prune: boolean;
  readonly #daemonMetrics: DaemonMetrics;
  readonly #stop = new AbortController();
  /** Resolved by stop() once in-flight reconciles finished: only then may the connection close. */
  #markDrained!: () => void;
  readonly #drained = new Promise<void>((resolve) => (this.#markDrained = resolve));

  readonly #source: ManifestSource;
  readonly #connection: ConnectionLoop;
  readonly #book: ObjectBookkeeping;
  readonly #queue: WorkQueue;
  readonly #keys: KeyReconciler;
  readonly #fullSync: FullSync;
  readonly #echoes = new EchoFilter();
  readonly #applied = new AppliedRevision();
  /** Load generation of the desired state in force (AppliedRevision.loaded). */
  #desiredGeneration = 0;

  #http: HttpServer | null = null;
  #resyncTimer: NodeJS.Timeout | null = null;
  /** A start that waits for its manifests directory to appear. */
  #beginning: Promise<void> | null = null;
  #ready = false;
  #readyWaiters: Array<() => void> = [];
  #stopping: Promise<void> | null = null;

  constructor(opts: ControllerOptions) {
    this.#opts = opts;
    this.#log = opts.logger;
    this.#prune = opts.prune ?? false;
    const engine = opts.engine;
    const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
    const retryBaseMs = opts.retry?.baseMs ?? 1000;
    this.metrics = opts.metrics ?? createMetrics();
    this.#daemonMetrics = createDaemonMetrics(this.metrics);
    const stop = this.#stop.signal;
    const gate = new SyncGate();

    this.#source = new ManifestSource({
      dir: opts.dir,
      engine,
      logger: this.#log,
      daemonMetrics: this.#daemonMetrics,
      prune: this.#prune,
      ...(opts.debounceMs !== undefined ? { debounceMs: opts.debounceMs } : {}),
      ...(opts.settleMs !== undefined ? { settleMs: opts.settleMs } : {}),
      pollMs: SOURCE_POLL_MS,
      stop,
      onLoaded: (load) => this.#onLoaded(load),
    });
    this.#connection = new ConnectionLoop({
      uri: opts.uri,
      engine,
      logger: this.#log,
      metrics: this.metrics,
      inventory: { source: opts.dir, ...opts.inventory },
      ...(opts.reconnect ? { reconnect: opts.reconnect } : {}),
      stop,
      drained: this.#drained,
      onEvent: (event) => this.#onEvent(event),
      onConnected: () => void this.fullSync('connected'),
      onDisconnected: () => this.#setReady(false),
    });
    this.#book = new ObjectBookkeeping({
      metrics: this.metrics,
      daemonMetrics: this.#daemonMetrics,
      fingerprint: (key) => this.#source.fingerprint(key),
      inventory: () => this.#connection.inventory,
      wake: (key) => this.#queue.add(key, { immediate: true }),
      enqueue: (key) => this.#queue.add(key),
    });
    this.metrics.countManagedObjectsFrom(() => this.#book.status.objects());
    const parts: ReconcileParts = {
      engine,
      logger: this.#log,
      source: this.#source,
      connection: this.#connection,
      book: this.#book,
      echoes: this.#echoes,
      gate,
      applied: this.#applied,
      prune: this.#prune,
    };
    this.#keys = new KeyReconciler({
      ...parts,
      reconnectWaitMs: retryBaseMs,
      // Never longer than the longest failure backoff: a waiting key looks no less often than a failing one.
      dependencyWaitMs: Math.min(DEPENDENCY_RECHECK_MS, opts.retry?.maxMs ?? DEPENDENCY_RECHECK_MS),
      fullSync: (reason) => void this.fullSync(reason),
    });
    this.#fullSync = new FullSync({
      ...parts,
      metrics: this.metrics,
      daemonMetrics: this.#daemonMetrics,
      desiredGeneration: () => this.#desiredGeneration,
      concurrency,
      retryMs: retryBaseMs,
      stop,
      report: (key, result) => this.#queue.report(key, result),
      onCompleted: () => this.#setReady(true),
    });
    this.#queue = new WorkQueue({
      handler: (key) => this.#keys.reconcile(key),
      concurrency,
      backoff: { baseMs: 1000, maxMs: 5 * 60_000, jitter: 0.2, ...opts.retry },
    });
    this.#queue.on('depth', (depth) => this.metrics.setQueueDepth(depth));
    this.#queue.on('retry', ({ key, attempt, delayMs }) => this.#log.debug({ key, attempt, delayMs }, 'reconcile retry scheduled'));
    this.#queue.on('requeue', ({ key, delayMs, reason }) => this.#log.debug({ key, delayMs, reason }, 'reconcile requeued'));

    if (opts.domainStats !== false) {
      registerDomainStats(
        this.metrics.registry,
        {
          fetch: () => {
            const session = this.#connection.session;
            if (!session) return Promise.reject(new NotConnectedError('not connected to libvirt'));
            return session.client.getAllDomainStats(DOMAIN_STATS_GROUPS, VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE);
          },
        },
        { onError: (err) => this.#log.debug({ err: message(err) }, 'domain statistics unavailable for this scrape') },
      );
    }
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
    return this.#connection.session !== null;
  }

  /** The desired state in force (the last valid load). */
  get desired(): DesiredState | null {
    return this.#source.desired;
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

    const initial = await this.#source.resolve();
    // Not there yet: start() returns (HTTP is up, not ready) and the rest begins once it appears.
    if (initial) await this.#begin(initial);
    else {
      this.#beginning = this.#source
        .awaitSource()
        .then((found) => (found ? this.#begin(found) : undefined))
        .catch((err: unknown) => this.#log.error({ err }, 'starting on the manifests directory failed; restart the daemon'));
    }
  }

  /** Loads the manifests, watches them, and starts the resync timer and the connection loop. */
  async #begin(initial: SourceInfo): Promise<void> {
    await this.#source.start(initial);
    if (this.#stop.signal.aborted) return;
    const resyncMs = this.#opts.resyncIntervalMs ?? DEFAULT_RESYNC_MS;
    if (resyncMs > 0) {
      this.#resyncTimer = setInterval(() => {
        if (this.#connection.session) void this.fullSync('resync');
      }, resyncMs);
    }
    this.#connection.start();
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
      ...this.#book.status.snapshot(),
      ready: this.#ready,
      pruneBlocked: this.#fullSync.pruneBlocked,
      connection: { uri: this.#opts.uri, up: this.#connection.session !== null, lastError: this.#connection.lastError },
      source: this.#source.status,
      appliedRevision: this.#applied.revision,
      version: virtkeeperVersion(),
    };
  }

  /**
   * Reads the whole host, plans it and runs the plan; a second request during a pass runs one
   * more pass after it. The first completed pass makes the daemon ready.
   */
  fullSync(reason: string): Promise<void> {
    return this.#fullSync.run(reason);
  }

  /** Reads the tree at `root` until two reads agree (see ManifestSource.loadStable). */
  loadStable(root: string): Promise<LoadResult> {
    return this.#source.loadStable(root);
  }

  /** Ready once a full sync completed on the current connection; not ready while we cannot act. */
  #setReady(ready: boolean): void {
    if (ready === this.#ready) return;
    this.#ready = ready;
    this.#daemonMetrics.setReady(ready);
    if (!ready) {
      this.#http?.markNotReady();
      return;
    }
    this.#http?.markReady();
    for (const wake of this.#readyWaiters.splice(0)) wake();
  }

  // ------------------------------------------------------------------ routing

  /** A valid tree became the desired state: track its objects and enqueue what changed. */
  #onLoaded({ previous, desired, revision, changed }: DesiredLoad): void {
    const status = this.#book.status;
    status.setRevision(revision);
    this.metrics.setGitRevision(revision);
    status.replaceDesired(desired.manifests.map((m) => parseQueueKey(m.key)));
    const session = this.#connection.session;
    if (previous === null) {
      // The first valid tree: a full sync (once connected) covers everything.
      this.#desiredGeneration = this.#applied.loaded(revision, [], true);
      if (session) void this.fullSync('manifests loaded');
      return;
    }
    // Records without a manifest are pruned by full syncs only, where the empty-tree guard weighs
    // them all at once (a guard held back earlier may let go now that manifests came back).
    const inventory = this.#connection.inventory;
    const pruneSync =
      this.#prune &&
      session !== null &&
      inventory !== null &&
      Object.keys(inventory.snapshot.objects).some((key) => !desired.byKey.has(key));
    this.#desiredGeneration = this.#applied.loaded(revision, changed, pruneSync);
    for (const key of changed) this.#queue.add(key, { immediate: true });
    if (pruneSync) void this.fullSync('manifests changed');
  }

  #onEvent(event: LifecycleEventRef): void {
    if (this.#stop.signal.aborted) return;
    // A pool's event also concerns its volumes: its echo is theirs too.
    const echo = echoKey(event);
    if (echo && this.#echoes.isEcho(echo, event, Date.now())) return;
    const keys = keysForEvent(event, this.#source.desired, this.#managedSet());
    for (const key of keys) this.#book.touched(key);
    this.#log.debug({ event, keys }, 'libvirt event');
    for (const key of keys) this.#queue.add(key);
  }

  #managedMemo: { desired: DesiredState | null; records: object | undefined; keys: ReadonlySet<IdentityKey> } | null = null;

  /** The managed keys as a set, rebuilt only when the manifests or the records changed: every event asks. */
  #managedSet(): ReadonlySet<IdentityKey> {
    const desired = this.#source.desired;
    const records = this.#connection.inventory?.snapshot.objects;
    const memo = this.#managedMemo;
    if (memo && memo.desired === desired && memo.records === records) return memo.keys;
    const keys = new Set(managedKeys(desired, Object.keys(records ?? {}), this.#prune));
    this.#managedMemo = { desired, records, keys };
    return keys;
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
    await this.#source.close();
    await this.#queue.shutdown();
    this.#markDrained();
    // A connection attempt in progress (ssh can take long to fail) must not hold up the exit;
    // if it succeeds later, the loop sees the stop and closes it.
    await this.#connection.close((err) => this.#log.error({ err }, 'writing the state store failed'));
    await this.#http?.close().catch(() => undefined);
    this.#log.info('stopped');
  }
}
