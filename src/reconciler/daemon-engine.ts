// The seam between the daemon loop and everything it drives: manifests on disk, the libvirt
// connection and events, the inventory, the planner and the executor. The controller only
// knows this interface, so its control flow (reloads, reconnects, requeues) is testable with
// fakes, and a renamed function elsewhere is fixed here in one place.
import type { LibvirtClient } from '../libvirt/client.js';
import type { AnyManifest, DesiredState, IdentityKey, ManifestError, ManifestKind } from '../manifests/types.js';
import type { LiveResource, PlanContext } from '../resources/types.js';
import type { LifecycleEventRef } from './event-keys.js';
import type { ApplyReport, OwnershipRecorder } from './executor.js';
import type { Inventory } from './inventory.js';
import type { Plan } from './planner.js';
import type { SourceWatcher, SourceWatchOptions } from './source-watch.js';

export type LoadResult =
  /** quietForMs: how long nothing in the tree had changed when it was read, when known. */
  { ok: true; desired: DesiredState; quietForMs?: number } | { ok: false; errors: readonly ManifestError[] };

export interface SourceInfo {
  /** Real path of the manifests directory (git-sync symlink resolved). */
  root: string;
  revision: string | null;
}

export interface DisconnectNotice {
  reason: string;
  error?: Error;
}

/** One established connection to libvirt. */
export interface HostSession {
  readonly client: LibvirtClient;
  /** Resolves (never rejects) when the connection ends for any reason. */
  readonly disconnected: Promise<DisconnectNotice>;
  close(): Promise<void>;
}

export interface EventSubscription {
  dispose(): Promise<void>;
}

/** This owner's records as the daemon uses them: read for planning, written by the executor. */
/** Where the daemon leaves its stall verdicts for plan and apply to read (state/stalls.ts). */
export interface StallLog {
  mark(key: IdentityKey, stall: { manifestDigest: string; message: string; retryAt: Date }): void;
  clear(key: IdentityKey): void;
}

export interface OwnershipStore extends OwnershipRecorder {
  readonly snapshot: Inventory;
  readonly stalls?: StallLog;
  /** How a change of `key` ended, for `virtkeeper status` (state store: outcomes). */
  recordOutcome?(key: IdentityKey, outcome: string, message?: string): void;
  /** Waits for pending writes; rejects with the first write failure. */
  flush(): Promise<void>;
  /** Flushes, releases the host lock and closes the store (at shutdown). */
  close?(): Promise<void>;
}

/** Where the records live (<stateDir>/state.db, default XDG state dir) and whose they are. */
export interface InventoryLocation {
  stateDir?: string;
  /** Owner of the records; default the source id of `source`. */
  owner?: string;
  /** The manifests directory as configured (the git-sync symlink, not its target). */
  source?: string;
}

/**
 * A fresh read for one key: the object alone (undefined: not on the host), or, for kinds that
 * cannot read one object by its key (a NodeDevice manifest names its device differently), the
 * whole kind.
 */
export type LiveUpdate =
  | { scope: 'object'; key: IdentityKey; object: LiveResource | undefined }
  | { scope: 'kind'; kind: ManifestKind; objects: LiveResource[] };

export interface PlanRequest {
  desired: DesiredState;
  live: ReadonlyMap<IdentityKey, LiveResource>;
  inventory: Inventory;
  prune: boolean;
  /** Plan only these keys (a per-key reconcile); unset: the whole host. */
  only?: ReadonlySet<IdentityKey>;
  /**
   * Settle intents an interrupted change left behind against `live`. Only a full sync does:
   * its read is fresh and nothing else runs meanwhile, while a per-key plan sees a cached view.
   */
  settleIntents?: boolean;
  /** What was found about each desired Secret's value (see ControllerEngine.assessSecrets). */
  secretValues?: PlanContext['secretValues'];
}

export interface ControllerEngine {
  resolveSource(path: string): Promise<SourceInfo>;
  watchSource(options: SourceWatchOptions): Promise<SourceWatcher>;
  loadManifests(root: string): Promise<LoadResult>;
  /** `onCall` reports each libvirt call's latency (for the metrics). */
  connect(uri: string, onCall: (procedure: string, durationMs: number) => void): Promise<HostSession>;
  subscribe(session: HostSession, onEvent: (event: LifecycleEventRef) => void): Promise<EventSubscription>;
  openInventory(session: HostSession, where: InventoryLocation): Promise<OwnershipStore>;
  readLive(session: HostSession): Promise<ReadonlyMap<IdentityKey, LiveResource>>;
  /** A fresh read of what `key` names: an event or a file change re-reads only that. */
  readFor(session: HostSession, key: IdentityKey): Promise<LiveUpdate>;
  plan(request: PlanRequest): Plan;
  /** Reads each desired Secret's value (file, env, command) and compares it with its recorded digest; engines without secrets leave it out. */
  assessSecrets?(desired: DesiredState, only?: ReadonlySet<IdentityKey>): Promise<PlanContext['secretValues']>;
  /** Runs the plan's changes in dependency order, `concurrency` at a time (default 1). */
  execute(plan: Plan, session: HostSession, desired: DesiredState, ownership: OwnershipStore, concurrency?: number): Promise<ApplyReport>;
  /** Keys a manifest refers to, to re-reconcile dependants when a referenced manifest changes. */
  dependencies(manifest: AnyManifest): IdentityKey[];
}
