// The ControllerEngine the daemon runs with: the real loader, libvirt client, event
// subscriptions, inventory, planner and executor. Tests substitute parts of it.
import path from 'node:path';
import { closeConnection, openConnection } from '../libvirt/connect.js';
import { LibvirtClient } from '../libvirt/client.js';
import { subscribeLifecycleEvents } from '../libvirt/events.js';
import { cachedManifestLoader, ManifestRootError } from '../manifests/index.js';
import { defaultRegistry, kindOf, type KindRegistry } from '../resources/registry.js';
import { dependencyKeys } from '../resources/contract.js';
import type { HostFacts } from '../resources/types.js';
import type { DesiredState } from '../manifests/types.js';
import { MANIFEST_KINDS } from '../resources/definitions.js';
import type { ControllerEngine, HostSession, LoadResult } from './daemon-engine.js';
import { executePlan } from './executor.js';
import { defaultStateDir, legacyInventoryPath, sourceOwner, StateStore, type HostLock, type HostState } from '../state/index.js';
import { readHostIdentity, readLiveState } from './live-state.js';
import { managesInterfaces, readHostFacts } from './host-facts.js';
import { buildPlan } from './planner.js';
import { parseQueueKey } from './queue.js';
import { resolveSource, watchSource } from './source-watch.js';
import { assessSecretValues } from '../resources/secret/assess.js';

export interface DefaultEngineOptions {
  registry?: KindRegistry;
  /** Keepalive interval towards libvirtd in ms (how fast a hung daemon is noticed, times 5). */
  keepaliveIntervalMs?: number;
  /** Deadline of each libvirt call in ms (`--call-timeout`); a call past it closes the connection, which reconnects. */
  callTimeoutMs?: number;
  /** A store opened already (the run command opens it before starting, to fail early). */
  store?: StateStore;
  /** The empty-tree guard (see PlanOptions). */
  allowEmpty?: boolean;
  pruneMax?: number;
  /** One-line notices (legacy import, stale lock taken over). */
  onNotice?: (line: string) => void;
}

export function createDefaultEngine(options: DefaultEngineOptions = {}): ControllerEngine {
  const registry = options.registry ?? defaultRegistry;
  let store = options.store;
  let state: HostState | undefined;
  let lock: HostLock | undefined;
  let owner: string | undefined;
  const load = cachedManifestLoader();
  // The last valid tree (is any interface managed?) and what the last full read found out about
  // the host, for the plans that follow it.
  let lastDesired: DesiredState | undefined;
  let hostFacts: HostFacts = {};
  return {
    resolveSource,
    watchSource,

    async loadManifests(root): Promise<LoadResult> {
      try {
        const readAt = Date.now();
        const result = await load(root);
        if (result.errors.length > 0) return { ok: false, errors: result.errors };
        lastDesired = result.state;
        return { ok: true, desired: result.state, quietForMs: readAt - result.lastChangeMs };
      } catch (err) {
        // The directory itself vanished or is unreadable (mid-swap): an invalid tree, not a crash.
        if (err instanceof ManifestRootError)
          return { ok: false, errors: [{ file: '', line: 0, column: 0, path: '', message: err.message }] };
        throw err;
      }
    },

    async connect(uri, onCall): Promise<HostSession> {
      const conn = await openConnection(uri, {
        ...(options.keepaliveIntervalMs !== undefined ? { keepaliveIntervalMs: options.keepaliveIntervalMs } : {}),
        ...(options.callTimeoutMs !== undefined ? { callTimeoutMs: options.callTimeoutMs } : {}),
      });
      const client = new LibvirtClient(conn, {
        onCall: (info) => onCall(info.procedure, info.durationMs),
        close: () => closeConnection(conn),
      });
      return {
        client,
        disconnected: conn.disconnected.then((info) => ({ reason: info.reason, ...(info.error ? { error: info.error } : {}) })),
        close: () => client.close(),
      };
    },

    async subscribe(session, onEvent) {
      const subscription = await subscribeLifecycleEvents(session.client, { any: onEvent });
      return { dispose: () => subscription.dispose() };
    },

    async openInventory(session, where) {
      const stateDir = where.stateDir ?? defaultStateDir();
      store ??= StateStore.open(stateDir);
      owner ??= where.owner ?? (where.source !== undefined ? await sourceOwner(where.source) : undefined);
      if (owner === undefined) throw new Error('no owner for the state store: pass --owner NAME');
      const host = await readHostIdentity(session.client);
      if (!state || state.host.key !== host.key) {
        lock?.release();
        lock = undefined;
        state = store.host(host, owner);
        state.stalls.clearOwn(); // this process's guard starts knowing of no stall
        if (where.source !== undefined) state.rememberSource(path.resolve(where.source));
        const imported = state.importLegacyInventory(legacyInventoryPath(stateDir, host.key));
        if (imported)
          options.onNotice?.(
            `imported ${imported.records} record(s) from ${imported.file} into ${store.file} as owner ${owner}; that file is no longer read and may be removed`,
          );
      }
      // Held until shutdown; taking it again on a reconnect to the same host is a no-op.
      lock = await store.acquireLock({
        hostKey: host.key,
        command: 'run',
        owner,
        timeoutMs: 0,
        ...(options.onNotice ? { onNotice: options.onNotice } : {}),
      });
      const current = state;
      const opened = store;
      return {
        get snapshot() {
          return current.snapshot;
        },
        record: (key, entry) => current.record(key, entry),
        forget: (key) => current.forget(key),
        has: (key) => current.has(key),
        stalls: current.stalls,
        recordOutcome: (key, outcome, msg) => current.recordOutcome(key, outcome, msg),
        intend: (key, intent) => current.intend(key, intent),
        abandon: (id) => current.abandon(id),
        recordSeed: (key, seed) => current.recordSeed(key, seed),
        recordSecretDigest: (key, digest) => current.recordSecretDigest(key, digest),
        flush: () => current.flush(),
        async close() {
          try {
            await current.flush();
          } finally {
            lock?.release();
            lock = undefined;
            opened.close();
          }
        },
      };
    },

    async readLive(session) {
      const interfaces = managesInterfaces(lastDesired, state ? Object.keys(state.snapshot.objects) : []);
      const [live, facts] = await Promise.all([readLiveState(session.client, registry), readHostFacts(session.client, interfaces, state)]);
      hostFacts = facts;
      return live;
    },

    async readFor(session, key) {
      const { kind: kindName, name } = parseQueueKey(key);
      const known = MANIFEST_KINDS.find((k) => k === kindName);
      if (!known) throw new Error(`${key}: not a kind virtkeeper manages`);
      const kind = kindOf(registry, known);
      if (kind.readOne) return { scope: 'object', key, object: await kind.readOne(session.client, name) };
      const all = await readLiveState(session.client, registry, [known]);
      return { scope: 'kind', kind: known, objects: [...all.values()] };
    },

    assessSecrets: (desired, only) => assessSecretValues(desired, state ? state.secretDigests.all() : new Map(), only),

    plan({ desired, live, inventory, prune, only, settleIntents, secretValues }) {
      // Intents a failed or interrupted change left behind are settled against this read of the host.
      if (settleIntents !== false) state?.resolveIntents((key) => live.has(key), { persist: true });
      return buildPlan({
        desired,
        live,
        host: hostFacts,
        inventory: state ? state.snapshot : inventory,
        ...(state ? { foreign: state.foreign(), seeds: state.seeds.all() } : {}),
        ...(secretValues ? { secretValues } : {}),
        registry,
        options: {
          prune,
          ...(only ? { only } : {}),
          ...(options.allowEmpty !== undefined ? { allowEmpty: options.allowEmpty } : {}),
          ...(options.pruneMax !== undefined ? { pruneMax: options.pruneMax } : {}),
        },
      });
    },

    execute: (plan, session, desired, ownership, concurrency = 1) =>
      executePlan(plan, { registry, client: session.client, desired, ownership, concurrency }),

    // The manifests the controller asks about are those of its last load (lastDesired): they
    // decide which optional references (a bridge an Interface manifest makes) are edges.
    dependencies(manifest) {
      try {
        return dependencyKeys(kindOf(registry, manifest.kind).definition, manifest, lastDesired);
      } catch {
        return [];
      }
    },
  };
}
