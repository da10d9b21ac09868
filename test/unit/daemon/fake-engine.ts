// An in-memory host and manifest source behind the ControllerEngine seam, so the controller's
// control flow (reloads, events, reconnects, readiness) is tested without libvirtd.
import type { LibvirtClient } from '../../../src/libvirt/client.js';
import type { AnyManifest, DesiredState, IdentityKey, ManifestError } from '../../../src/manifests/types.js';
import type {
  ControllerEngine,
  DisconnectNotice,
  HostSession,
  LiveUpdate,
  LoadResult,
  OwnershipStore,
} from '../../../src/reconciler/daemon-engine.js';
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
  /** Keys whose changes the plan refuses (as a shrink or an unannotated replace is), with the reason. */
  refuseKeys = new Map<IdentityKey, string>();
  /** Keys whose changes libvirt accepts but does not keep. */
  dropsChanges = new Set<IdentityKey>();
  /** Send the lifecycle event libvirt would send for each executed change. */
  echoEvents = false;
  /** Each execution takes this long (to observe shutdown during an action). */
  executeDelayMs = 0;
  executing = 0;
  /** Successive results of loadManifests before falling back to `tree` (a file being written). */
  loadSequence: LoadResult[] = [];
  /** Outcomes the controller wrote to the state store, in order. */
  outcomes: Array<{ key: IdentityKey; outcome: string; message?: string }> = [];
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

  /** The manifests directory does not exist (yet): resolveSource fails as realpath does. */
  sourceMissing = false;

  async resolveSource() {
    if (this.sourceMissing) throw Object.assign(new Error("ENOENT: no such file or directory, realpath '/m'"), { code: 'ENOENT' });
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
      recordOutcome: (key, outcome, message) => void self.outcomes.push({ key, outcome, ...(message ? { message } : {}) }),
      flush: async () => undefined,
    };
  }
  async readLive(): Promise<ReadonlyMap<IdentityKey, LiveResource>> {
    if (!this.#session) throw new Error('not connected');
    this.fullReads++;
    const out = new Map<IdentityKey, LiveResource>();
    for (const [key, fp] of this.live) out.set(key, this.#liveObject(key, fp));
    // The snapshot is taken at the start; a slow read returns it late, as a slow host would.
    const delay = this.readDelay();
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    return out;
  }
  /** Keys re-read one at a time (per-key reconciles), in order. */
  readsFor: IdentityKey[] = [];
  /** Whole-host reads (full syncs). */
  fullReads = 0;
  async readFor(_s: HostSession, key: IdentityKey): Promise<LiveUpdate> {
    if (!this.#session) throw new Error('not connected');
    this.readsFor.push(key);
    const fp = this.live.get(key);
    return { scope: 'object', key, object: fp === undefined ? undefined : this.#liveObject(key, fp) };
  }
  #liveObject(key: IdentityKey, fp: string): LiveResource {
    const [kind, ...name] = key.split('/');
    return { key, kind, name: name.join('/'), spec: { fp }, active: true, persistent: true, markedOwned: true } as unknown as LiveResource;
  }
  plan({
    desired,
    live,
    inventory,
    prune,
    only,
  }: {
    desired: DesiredState;
    live: ReadonlyMap<IdentityKey, LiveResource>;
    inventory: Inventory;
    prune: boolean;
    only?: ReadonlySet<IdentityKey>;
  }): Plan {
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
        // Domain-shaped steps (any kind's would do): the fake never runs them, only counts them.
        steps:
          action === 'no-op'
            ? []
            : action === 'create'
              ? [
                  { op: 'define', description: `define ${key}`, payload: { xml: fp ?? '' } },
                  { op: 'start', description: `start ${key}` },
                ]
              : action === 'update'
                ? [{ op: 'define', description: `${action} ${key}`, payload: { xml: fp ?? '' } }]
                : [{ op: 'destroy', description: `${action} ${key}` }],
        dependsOn: this.deps[key] ?? [],
      };
    };
    for (const m of desired.manifests) {
      if (only && !only.has(m.key)) continue;
      const fp = manifestFingerprint(m.manifest);
      const l = live.get(m.key) as unknown as { spec: { fp: string } } | undefined;
      const change = mk(m.key, !l ? 'create' : l.spec.fp === fp ? 'no-op' : 'update', fp);
      const refused = this.refuseKeys.get(m.key);
      changes.push(refused !== undefined && change.action !== 'no-op' ? { ...change, refused } : change);
    }
    if (prune)
      for (const key of Object.keys(inventory.objects))
        if (!desired.byKey.has(key) && live.has(key) && (!only || only.has(key))) changes.push(mk(key, 'delete'));
    const waitsFor = new Map(changes.map((c) => [c.key, c.dependsOn.filter((d) => changes.some((x) => x.key === d))] as const));
    // As the real planner does: every change after the changes it waits for.
    const ordered: ResourceChange[] = [];
    while (ordered.length < changes.length) {
      const next = changes.find((c) => !ordered.includes(c) && (waitsFor.get(c.key) ?? []).every((d) => ordered.some((o) => o.key === d)));
      if (!next) throw new Error('fake plan: dependency cycle');
      ordered.push(next);
    }
    return {
      changes: ordered,
      waitsFor,
      summary: { create: 0, update: 0, replace: 0, delete: 0, noOp: 0, refused: 0, restartPending: 0 },
      errors: [],
      retained: [],
      forgotten: [],
    };
  }
  /** Runs the changes in plan order (the fake's plans are already ordered); dependants of a failure are skipped. */
  async execute(plan: Plan, _s: HostSession, desired: DesiredState, ownership: OwnershipStore): Promise<ApplyReport> {
    const results: ApplyReport['results'] = [];
    const failed = new Set<IdentityKey>();
    for (const c of plan.changes) {
      const base = { key: c.key, kind: c.kind, name: c.name, action: c.action, stepsDone: 0, durationMs: 0 };
      if (c.action === 'no-op') {
        ownership.record(c.key, { kind: c.kind, name: c.name, origin: 'adopted', pruneDisabled: false });
        results.push({ ...base, outcome: 'unchanged' });
        continue;
      }
      if (c.refused !== undefined) {
        failed.add(c.key);
        results.push({ ...base, outcome: 'refused', error: { message: c.refused } });
        continue;
      }
      const dep = (plan.waitsFor.get(c.key) ?? []).find((d) => failed.has(d));
      if (dep) {
        failed.add(c.key);
        results.push({ ...base, outcome: 'skipped', error: { message: `dependency ${dep} failed` } });
        continue;
      }
      if (this.failKeys.has(c.key)) {
        failed.add(c.key);
        results.push({ ...base, outcome: 'failed', error: { message: 'boom' } });
        continue;
      }
      this.executing++;
      if (this.executeDelayMs > 0) await new Promise((r) => setTimeout(r, this.executeDelayMs));
      this.executing--;
      this.executed.push({ key: c.key, action: c.action });
      // libvirt tells every client, us included, about what we just did.
      if (this.echoEvents) {
        const [kind, ...name] = c.key.split('/');
        for (const event of c.action === 'create' ? ['defined', 'started'] : ['defined'])
          this.#session?.onEvent?.({ kind: kind!.toLowerCase() as LifecycleEventRef['kind'], name: name.join('/'), event });
      }
      if (this.dropsChanges.has(c.key)) {
        // libvirt accepted the definition but kept something else (an xml.merge element it drops).
        this.live.set(c.key, 'dropped');
      } else if (c.action === 'delete') {
        this.live.delete(c.key);
        ownership.forget(c.key);
      } else {
        this.live.set(c.key, manifestFingerprint(desired.byKey.get(c.key)!.manifest));
      }
      if (c.action !== 'delete') {
        ownership.record(c.key, { kind: c.kind, name: c.name, origin: 'created', pruneDisabled: false });
      }
      results.push({ ...base, outcome: 'succeeded', stepsDone: 1 });
    }
    return { results, counts: {} as ApplyReport['counts'], ok: failed.size === 0 };
  }
  /** What a manifest refers to, as `deps` says (the real kinds read it from the spec). */
  dependencies(manifest: AnyManifest): IdentityKey[] {
    return this.deps[`${manifest.kind}/${manifest.metadata.name}`] ?? [];
  }
}
