// An in-memory host and manifest source behind the ControllerEngine seam, so the controller's
// control flow (reloads, events, reconnects, readiness) is tested without libvirtd.
import type { LibvirtClient } from '../../../src/libvirt/client.js';
import type { DesiredState, IdentityKey, ManifestError } from '../../../src/manifests/types.js';
import type { ControllerEngine, DisconnectNotice, HostSession, LoadResult, OwnershipStore } from '../../../src/reconciler/daemon-engine.js';
import { manifestFingerprint } from '../../../src/reconciler/daemon-keys.js';
import type { LifecycleEventRef } from '../../../src/reconciler/event-keys.js';
import type { ApplyReport } from '../../../src/reconciler/executor.js';
import { emptyInventory, type Inventory } from '../../../src/reconciler/inventory.js';
import type { Plan } from '../../../src/reconciler/planner.js';
import type { SourceChange } from '../../../src/reconciler/source-watch.js';
import type { LiveResource, ResourceChange } from '../../../src/resources/types.js';

export class FakeEngine implements ControllerEngine {
  /** key → fingerprint of the manifest last applied. */
  readonly live = new Map<IdentityKey, string>();
  tree: LoadResult = { ok: false, errors: [] };
  revision: string | null = 'rev1';
  connectable = true;
  connects = 0;
  executed: Array<{ key: IdentityKey; action: string }> = [];
  failKeys = new Set<IdentityKey>();
  deps: Record<IdentityKey, IdentityKey[]> = {};
  /** Each execution takes this long (to observe shutdown during an action). */
  executeDelayMs = 0;
  executing = 0;
  /** Successive results of loadManifests before falling back to `tree` (a file being written). */
  loadSequence: LoadResult[] = [];
  loads = 0;
  /** Delay of a live read, decided when it starts. */
  readDelay: () => number = () => 0;
  #onChange: ((c: SourceChange) => void | Promise<void>) | null = null;
  #session: { end: (n: DisconnectNotice) => void; onEvent?: (e: LifecycleEventRef) => void } | null = null;
  #inventory: Inventory = emptyInventory({ key: 'fake', hostname: 'fake', uri: 'test:///default' });

  setTree(desired: DesiredState): void {
    this.tree = { ok: true, desired };
  }
  setInvalid(errors: ManifestError[]): void {
    this.tree = { ok: false, errors };
  }
  async changeSource(): Promise<void> {
    await this.#onChange?.({ root: '/m', revision: this.revision });
  }
  /** Out-of-band change on the host, followed by the event libvirt would send. */
  tamper(key: IdentityKey, kind: LifecycleEventRef['kind'], name: string): void {
    this.live.set(key, 'tampered');
    this.#session?.onEvent?.({ kind, name });
  }
  dropConnection(): void {
    this.#session?.end({ reason: 'closed-by-peer' });
    this.#session = null;
  }

  async resolveSource() {
    return { root: '/m', revision: this.revision };
  }
  async watchSource(opts: { onChange: (c: SourceChange) => void | Promise<void> }) {
    this.#onChange = opts.onChange;
    return { root: '/m', close: async () => void (this.#onChange = null) };
  }
  async loadManifests(): Promise<LoadResult> {
    this.loads++;
    return this.loadSequence.shift() ?? this.tree;
  }
  async connect(): Promise<HostSession> {
    this.connects++;
    if (!this.connectable) throw new Error('connection refused');
    let end!: (n: DisconnectNotice) => void;
    const disconnected = new Promise<DisconnectNotice>((r) => (end = r));
    const state: { end: (n: DisconnectNotice) => void; onEvent?: (e: LifecycleEventRef) => void } = { end };
    this.#session = state;
    return {
      client: {} as LibvirtClient,
      disconnected,
      close: async () => end({ reason: 'closed-by-client' }),
    };
  }
  async subscribe(_s: HostSession, onEvent: (e: LifecycleEventRef) => void) {
    if (this.#session) this.#session.onEvent = onEvent;
    return { dispose: async () => undefined };
  }
  async openInventory(): Promise<OwnershipStore> {
    const self = this;
    return {
      get snapshot() {
        return self.#inventory;
      },
      record: (key, entry) => {
        self.#inventory = { ...self.#inventory, objects: { ...self.#inventory.objects, [key]: { ...entry, recordedAt: '' } } };
      },
      forget: (key) => {
        const objects = { ...self.#inventory.objects };
        delete objects[key];
        self.#inventory = { ...self.#inventory, objects };
      },
      has: (key) => key in self.#inventory.objects,
      flush: async () => undefined,
    };
  }
  async readLive(): Promise<ReadonlyMap<IdentityKey, LiveResource>> {
    if (!this.#session) throw new Error('not connected');
    const out = new Map<IdentityKey, LiveResource>();
    for (const [key, fp] of this.live) {
      const [kind, ...name] = key.split('/');
      out.set(key, { key, kind, name: name.join('/'), spec: { fp }, active: true, persistent: true, markedOwned: true } as unknown as LiveResource);
    }
    // The snapshot is taken at the start; a slow read returns it late, as a slow host would.
    const delay = this.readDelay();
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    return out;
  }
  plan({ desired, live, inventory, prune }: { desired: DesiredState; live: ReadonlyMap<IdentityKey, LiveResource>; inventory: Inventory; prune: boolean }): Plan {
    const changes: ResourceChange[] = [];
    const mk = (key: IdentityKey, action: ResourceChange['action'], fp?: string): ResourceChange => {
      const [kind, ...name] = key.split('/');
      return {
        key,
        kind: kind as ResourceChange['kind'],
        // As the real kinds do: a volume's change is named without its pool.
        name: name[name.length - 1]!,
        action,
        changes: [],
        restartRequired: false,
        reason: action,
        steps: action === 'no-op' ? [] : [{ op: action, description: `${action} ${key}`, payload: { fp } }],
        dependsOn: this.deps[key] ?? [],
      };
    };
    for (const m of desired.manifests) {
      const fp = manifestFingerprint(m.manifest);
      const l = live.get(m.key) as unknown as { spec: { fp: string } } | undefined;
      changes.push(mk(m.key, !l ? 'create' : l.spec.fp === fp ? 'no-op' : 'update', fp));
    }
    if (prune) for (const key of Object.keys(inventory.objects)) if (!desired.byKey.has(key) && live.has(key)) changes.push(mk(key, 'delete'));
    const waitsFor = new Map(changes.map((c) => [c.key, c.dependsOn.filter((d) => changes.some((x) => x.key === d))] as const));
    return { changes, waitsFor, summary: { create: 0, update: 0, replace: 0, delete: 0, noOp: 0, refused: 0, restartPending: 0 }, errors: [], retained: [], forgotten: [] };
  }
  async execute(plan: Plan, _s: HostSession, desired: DesiredState, ownership: OwnershipStore): Promise<ApplyReport> {
    const c = plan.changes[0]!;
    const base = { key: c.key, kind: c.kind, name: c.name, action: c.action, stepsDone: 0, durationMs: 0 };
    if (c.action === 'no-op') {
      ownership.record(c.key, { kind: c.kind, name: c.name, origin: 'adopted', pruneDisabled: false });
      return { results: [{ ...base, outcome: 'unchanged' }], counts: {} as ApplyReport['counts'], ok: true };
    }
    if (this.failKeys.has(c.key)) return { results: [{ ...base, outcome: 'failed', error: { message: 'boom' } }], counts: {} as ApplyReport['counts'], ok: false };
    this.executing++;
    if (this.executeDelayMs > 0) await new Promise((r) => setTimeout(r, this.executeDelayMs));
    this.executing--;
    this.executed.push({ key: c.key, action: c.action });
    if (c.action === 'delete') {
      this.live.delete(c.key);
      ownership.forget(c.key);
    } else {
      this.live.set(c.key, manifestFingerprint(desired.byKey.get(c.key)!.manifest));
      ownership.record(c.key, { kind: c.kind, name: c.name, origin: 'created', pruneDisabled: false });
    }
    return { results: [{ ...base, outcome: 'succeeded', stepsDone: 1 }], counts: {} as ApplyReport['counts'], ok: true };
  }
  dependencies(): IdentityKey[] {
    return [];
  }
}
