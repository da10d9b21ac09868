// The daemon's libvirt connection: connect, set up (state store, event subscription), wait for
// the connection to end, tear down, reconnect with backoff, until stopped. It owns what lives as
// long as one connection (the session, its subscription, the host as last read through it) and
// the state store, kept across reconnects to the same host. What a connection means for the
// objects (a full sync, not ready while down) is the caller's, through the callbacks.
import type { IdentityKey } from '../manifests/types.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { LiveResource } from '../resources/types.js';
import type { ControllerEngine, EventSubscription, HostSession, InventoryLocation, OwnershipStore } from './daemon-engine.js';
import type { LifecycleEventRef } from './event-keys.js';
import { backoffDelay } from './rate-limiter.js';
import { abortableSleep, message } from './daemon-async.js';

export interface ConnectionOptions {
  uri: string;
  engine: ControllerEngine;
  logger: Logger;
  metrics: Pick<Metrics, 'observeLibvirtCall' | 'setLibvirtConnectionUp'>;
  /** Where the state store lives; `source` is the manifests directory as configured. */
  inventory: InventoryLocation;
  /** Backoff between connection attempts. Default 500 ms doubling up to 30 s. */
  reconnect?: { baseMs?: number; maxMs?: number };
  /** Aborted when the daemon stops. */
  stop: AbortSignal;
  /** Resolves once in-flight reconciles finished at shutdown: only then may the connection close. */
  drained: Promise<void>;
  onEvent(event: LifecycleEventRef): void;
  /** A connection is established and subscribed. */
  onConnected(): void;
  /** The connection is being torn down (lost, or at shutdown). */
  onDisconnected(): void;
}

export class ConnectionLoop {
  readonly #opts: ConnectionOptions;
  #session: HostSession | null = null;
  #inventory: OwnershipStore | null = null;
  #inventoryHost: string | null = null;
  #subscription: EventSubscription | null = null;
  #lastError: string | null = null;
  #loop: Promise<void> | null = null;
  /** Sessions whose connection has ended: failures seen through them say nothing about objects. */
  readonly #deadSessions = new WeakSet<HostSession>();
  /** Resolves when stop begins; unlike an abort listener it also works when awaited late. */
  readonly #stopped: Promise<null>;
  /** The host as last read through this connection: whole by a full sync, one key at a time by per-key reconciles. */
  live: Map<IdentityKey, LiveResource> | null = null;

  constructor(opts: ConnectionOptions) {
    this.#opts = opts;
    this.#stopped = new Promise<null>((resolve) => {
      if (opts.stop.aborted) resolve(null);
      else opts.stop.addEventListener('abort', () => resolve(null), { once: true });
    });
  }

  get session(): HostSession | null {
    return this.#session;
  }

  get inventory(): OwnershipStore | null {
    return this.#inventory;
  }

  get inventoryHost(): string | null {
    return this.#inventoryHost;
  }

  /** Why the last connection attempt failed or the connection ended; null while connected. */
  get lastError(): string | null {
    return this.#lastError;
  }

  /** True when `session` is no longer the live connection: what failed through it is not the object's fault. */
  lost(session: HostSession): boolean {
    return this.#session !== session || this.#deadSessions.has(session);
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /**
   * At shutdown, after `drained`: waits for the loop to tear the connection down (an attempt in
   * progress, ssh can take long to fail, gets up to 5 s), then closes the state store.
   */
  async close(onStoreError: (err: unknown) => void): Promise<void> {
    await Promise.race([this.#loop, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    if (this.#session) await this.#teardown(this.#session);
    const inventory = this.#inventory;
    await (inventory?.close ? inventory.close() : inventory?.flush())?.catch(onStoreError);
  }

  async #run(): Promise<void> {
    const { engine, uri, stop, logger: log, metrics } = this.#opts;
    const baseMs = this.#opts.reconnect?.baseMs ?? 500;
    const maxMs = this.#opts.reconnect?.maxMs ?? 30_000;
    let attempt = 0;
    while (!stop.aborted) {
      let session: HostSession;
      try {
        session = await engine.connect(uri, (procedure, ms) => metrics.observeLibvirtCall(procedure, ms / 1000));
      } catch (err) {
        attempt++;
        this.#lastError = message(err);
        const delayMs = backoffDelay(attempt, baseMs, maxMs);
        log.warn({ err: message(err), attempt, delayMs }, 'cannot connect to libvirt; retrying');
        await abortableSleep(delayMs, stop);
        continue;
      }
      if (stop.aborted) {
        await session.close().catch(() => undefined);
        break;
      }
      try {
        await this.#establish(session);
      } catch (err) {
        attempt++;
        this.#lastError = message(err);
        log.warn({ err: message(err), attempt }, 'setting up the libvirt connection failed; reconnecting');
        await this.#teardown(session);
        await abortableSleep(backoffDelay(attempt, baseMs, maxMs), stop);
        continue;
      }
      attempt = 0;
      this.#lastError = null;
      this.#opts.onConnected();

      const ended = await Promise.race([session.disconnected, this.#stopped]);
      if (ended === null) {
        await this.#opts.drained;
        await this.#teardown(session);
        break;
      }
      this.#lastError = ended.error ? `${ended.reason}: ${ended.error.message}` : ended.reason;
      log.warn({ reason: ended.reason, err: ended.error?.message }, 'lost the libvirt connection; reconnecting');
      await this.#teardown(session);
      await abortableSleep(baseMs, stop);
    }
  }

  async #establish(session: HostSession): Promise<void> {
    const { engine } = this.#opts;
    const inventory = await engine.openInventory(session, this.#opts.inventory);
    // Keep the store across reconnects to the same host, so its writes stay in one order.
    if (!this.#inventory || this.#inventoryHost !== inventory.snapshot.host.key) {
      await this.#inventory?.flush().catch(() => undefined);
      this.#inventory = inventory;
      this.#inventoryHost = inventory.snapshot.host.key;
    }
    void session.disconnected.then(() => this.#deadSessions.add(session));
    this.live = null;
    this.#session = session;
    this.#subscription = await engine.subscribe(session, (event) => this.#opts.onEvent(event));
    this.#opts.metrics.setLibvirtConnectionUp(true);
    this.#opts.logger.info({ uri: this.#opts.uri, host: this.#inventoryHost }, 'connected to libvirt; events subscribed');
  }

  async #teardown(session: HostSession): Promise<void> {
    if (this.#session === session) this.#session = null;
    this.#opts.metrics.setLibvirtConnectionUp(false);
    this.#opts.onDisconnected();
    const subscription = this.#subscription;
    this.#subscription = null;
    await subscription?.dispose().catch(() => undefined);
    await session.close().catch(() => undefined);
  }
}
