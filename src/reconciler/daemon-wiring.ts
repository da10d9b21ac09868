// The ControllerEngine the daemon runs with: the real loader, libvirt client, event
// subscriptions, inventory, planner and executor. Tests substitute parts of it.
import { openConnection } from '../libvirt/connect.js';
import { closeConnection } from '../libvirt/connect.js';
import { LibvirtClient } from '../libvirt/client.js';
import { subscribeLifecycleEvents } from '../libvirt/events.js';
import { loadManifests, ManifestRootError } from '../manifests/index.js';
import { defaultRegistry, type KindRegistry } from '../resources/registry.js';
import type { ResourceKind } from '../resources/types.js';
import type { ControllerEngine, HostSession, LoadResult } from './daemon-engine.js';
import { executePlan } from './executor.js';
import { defaultInventoryPath, loadInventory, PersistentInventory } from './inventory.js';
import { readHostIdentity, readLiveState } from './live-state.js';
import { buildPlan } from './planner.js';
import { resolveSource, watchSource } from './source-watch.js';

export interface DefaultEngineOptions {
  registry?: KindRegistry;
  /** Keepalive interval towards libvirtd in ms (how fast a hung daemon is noticed, times 5). */
  keepaliveIntervalMs?: number;
  /** Deadline of each libvirt call in ms (`--call-timeout`); a call past it closes the connection, which reconnects. */
  callTimeoutMs?: number;
}

export function createDefaultEngine(options: DefaultEngineOptions = {}): ControllerEngine {
  const registry = options.registry ?? defaultRegistry;
  return {
    resolveSource,
    watchSource,

    async loadManifests(root): Promise<LoadResult> {
      try {
        const result = await loadManifests(root);
        return result.errors.length === 0 ? { ok: true, desired: result.state } : { ok: false, errors: result.errors };
      } catch (err) {
        // The directory itself vanished or is unreadable (mid-swap): an invalid tree, not a crash.
        if (err instanceof ManifestRootError) return { ok: false, errors: [{ file: '', line: 0, column: 0, path: '', message: err.message }] };
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
      const host = await readHostIdentity(session.client);
      const file = where.inventory ?? defaultInventoryPath(host, where.stateDir);
      const store = new PersistentInventory(file, await loadInventory(file, host));
      return {
        get snapshot() {
          return store.snapshot;
        },
        record: (key, entry) => store.record(key, entry),
        forget: (key) => store.forget(key),
        has: (key) => key in store.snapshot.objects,
        flush: () => store.flush(),
      };
    },

    readLive: (session) => readLiveState(session.client, registry),

    plan: ({ desired, live, inventory, prune }) => buildPlan({ desired, live, inventory, registry, options: { prune } }),

    execute: (plan, session, desired, ownership) =>
      executePlan(plan, { registry, client: session.client, desired, ownership, concurrency: 1 }),

    dependencies(manifest) {
      try {
        return (registry[manifest.kind] as ResourceKind<typeof manifest.kind>).dependencies(manifest as never);
      } catch {
        return [];
      }
    },
  };
}
