// `virtkeeper status [DIR] --connect URI [--owner NAME] [--json]`: what the state store records for
// the host behind URI — every managed object with its owner and origin, intents an interrupted
// run left, and who holds the host lock; and each object's state from a live read against its
// manifests (synced, drifted, restart-pending, stalled, failed, …): DIR's, or without DIR the
// directory each owner last applied from. Read-only throughout.
import type { Command } from 'commander';
import { LibvirtClient } from '../../libvirt/client.js';
import { readHostIdentity } from '../../reconciler/live-state.js';
import type { LockHolder } from '../../state/index.js';
import { connectOption } from '../connect-option.js';
import { openStore, ownerOf, stateOptions, type StateLocation } from '../state-options.js';
import { loadManifests } from '../../manifests/loader.js';
import type { DesiredState, IdentityKey } from '../../manifests/types.js';
import { ManifestRootError } from '../../manifests/walk.js';
import { isRestartPending, type Plan } from '../../reconciler/planner.js';
import { defaultRegistry } from '../../resources/registry.js';
import type { ResourceChange } from '../../resources/types.js';
import { closeQuietly, describeFailure, loadDesiredOrReport, planAgainstHost, processIo, type CommandIo } from './plan.js';

export interface StatusCommandOptions extends StateLocation {
  connect: string;
  json?: boolean;
}

/**
 * An object's state against its manifest, from one read-only plan: `synced` nothing to do;
 * `drifted` apply would change it; `restart-pending` defined as wanted, running the old config;
 * `stalled` the daemon applied this manifest twice and libvirt kept neither; `refused` apply will
 * not make the change; `failed` the last apply or reconcile of it failed and it still differs; `missing` recorded but gone from the host; `unmanifested` recorded, no
 * manifest (kept, or deleted by --prune); `not-applied` in the manifests, not created yet.
 */
export type ObjectState =
  | 'synced'
  | 'drifted'
  | 'restart-pending'
  | 'stalled'
  | 'refused'
  | 'failed'
  | 'missing'
  | 'unmanifested'
  | 'not-applied';

export interface StoreStatus {
  host: string;
  stateDb: string;
  /** `state` only with DIR; objects of DIR's manifests not recorded yet are listed with owner "". */
  objects: Array<{
    key: string;
    owner: string;
    origin: 'created' | 'adopted' | null;
    pruneDisabled: boolean;
    recordedAt: string | null;
    state?: ObjectState;
    lastError?: string;
  }>;
  pendingIntents: Array<{ key: string; action: string; owner: string; pid: number; createdAt: string }>;
  lock: LockHolder | null;
  /** Why some owner's objects have no state (its manifests are gone or invalid). */
  notes: string[];
}

function changeState(c: ResourceChange, recorded: ReadonlySet<IdentityKey>): ObjectState {
  if (c.refused) return 'refused';
  if (c.stalled) return 'stalled';
  if (c.action === 'create') return recorded.has(c.key) ? 'missing' : 'not-applied';
  if (c.action !== 'no-op') return 'drifted';
  return isRestartPending(c) ? 'restart-pending' : 'synced';
}

/** Each object's state from a plan of its owner's manifests. Pure. */
export function objectStates(plan: Plan, recorded: ReadonlySet<IdentityKey>): Map<IdentityKey, ObjectState> {
  const states = new Map<IdentityKey, ObjectState>();
  for (const c of plan.changes) states.set(c.key, changeState(c, recorded));
  for (const r of plan.retained) states.set(r.key, 'unmanifested');
  for (const key of plan.forgotten) states.set(key, 'missing');
  return states;
}

export async function runStatus(options: StatusCommandOptions, io: CommandIo, dir?: string): Promise<number> {
  const desired = dir === undefined ? undefined : await loadDesiredOrReport(dir, io);
  if (dir !== undefined && !desired) return 1;
  const store = openStore(options, io);
  if (!store) return 1;
  let client: LibvirtClient | undefined;
  try {
    client = await LibvirtClient.connect(options.connect, { readOnly: true });
    const host = await readHostIdentity(client);
    // With DIR, its owner by default: the states are of that source's objects.
    const owner = dir !== undefined ? await ownerOf(dir, options) : options.owner;
    const state = store.host(host, owner ?? '');
    // What to plan: DIR for its owner; without DIR, the directory each owner last applied from.
    const notes: string[] = [];
    const sources: Array<{ owner: string; desired: DesiredState }> = [];
    if (desired) sources.push({ owner: owner ?? '', desired });
    else {
      for (const [o, d] of state.sources()) {
        if (owner !== undefined && o !== owner) continue;
        const loaded = await loadQuietly(d);
        if (typeof loaded === 'string') notes.push(`${o}: no states: its manifests at ${d} ${loaded}`);
        else sources.push({ owner: o, desired: loaded });
      }
    }
    let states: Map<IdentityKey, ObjectState> | undefined;
    for (const source of sources) {
      const own = source.owner === state.owner ? state : store.host(host, source.owner);
      const { plan } = await planAgainstHost(client, source.desired, defaultRegistry, own, { prune: false, persistIntents: false });
      states ??= new Map();
      for (const [key, s] of objectStates(plan, new Set(Object.keys(own.snapshot.objects)))) states.set(key, s);
    }
    // A change that failed (or was skipped for a failed dependency) and still differs is failed.
    const outcomes = state.outcomes();
    for (const [key, s] of states ?? []) {
      const last = outcomes.get(key);
      if (last && (last.outcome === 'failed' || last.outcome === 'skipped') && (s === 'drifted' || s === 'missing' || s === 'not-applied'))
        states!.set(key, 'failed');
    }
    const lastError = (key: IdentityKey): { lastError: string } | Record<string, never> => {
      const m = states?.get(key) === 'failed' ? outcomes.get(key)?.message : undefined;
      return m ? { lastError: m } : {};
    };
    const objects: StoreStatus['objects'] = [...state.allRecords()]
      .filter(([, r]) => owner === undefined || r.owner === owner)
      .map(([key, r]) => ({
        key,
        owner: r.owner,
        origin: r.origin,
        pruneDisabled: r.pruneDisabled,
        recordedAt: r.recordedAt,
        ...(states?.has(key) ? { state: states.get(key)! } : {}),
        ...lastError(key),
      }));
    for (const [key, s] of states ?? []) {
      if (!state.has(key) && (s === 'not-applied' || s === 'failed'))
        objects.push({ key, owner: '', origin: null, pruneDisabled: false, recordedAt: null, state: s, ...lastError(key) });
    }
    objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const status: StoreStatus = {
      host: host.key,
      stateDb: store.file,
      objects,
      pendingIntents: state
        .pendingIntents()
        .map((i) => ({ key: i.key, action: i.action, owner: i.owner, pid: i.pid, createdAt: i.createdAt })),
      lock: store.lockHolder(host.key) ?? null,
      notes,
    };
    io.stdout(options.json ? `${JSON.stringify(status, null, 2)}\n` : renderStatus(status));
    return 0;
  } catch (err) {
    io.stderr(`status failed: ${describeFailure(err)}\n`);
    return 1;
  } finally {
    await client?.close().catch(() => undefined);
    closeQuietly(store);
  }
}

/** A tree's desired state, or why it cannot be had (one line). */
async function loadQuietly(dir: string): Promise<DesiredState | string> {
  try {
    const result = await loadManifests(dir);
    return result.errors.length === 0 ? result.state : `are invalid (${result.errors.length} error(s); virtkeeper validate ${dir})`;
  } catch (err) {
    return err instanceof ManifestRootError ? 'are not there any more' : `cannot be read (${describeFailure(err)})`;
  }
}

function renderStatus(s: StoreStatus): string {
  const lines = [`host ${s.host} in ${s.stateDb}`];
  lines.push(s.lock ? `locked by pid ${s.lock.pid} (${s.lock.command}, since ${s.lock.since}) for ${s.lock.owner}` : 'not locked');
  const byOwner = new Map<string, StoreStatus['objects']>();
  for (const o of s.objects) byOwner.set(o.owner, [...(byOwner.get(o.owner) ?? []), o]);
  for (const [owner, objects] of byOwner) {
    lines.push('', `${owner || 'in the manifests, not applied yet'}: ${objects.length} object${objects.length === 1 ? '' : 's'}`);
    for (const o of objects) {
      const state = o.state ? `  ${o.state}${o.lastError ? `: ${o.lastError}` : ''}` : '';
      lines.push(
        o.origin === null
          ? `  ${o.key}  not recorded${state}`
          : `  ${o.key}  ${o.origin}${o.pruneDisabled ? ', prune disabled' : ''}  since ${o.recordedAt}${state}`,
      );
    }
  }
  if (s.objects.length === 0) lines.push('', 'no managed objects');
  if (s.notes.length > 0) lines.push('', ...s.notes);
  if (s.pendingIntents.length > 0) {
    lines.push('', `${s.pendingIntents.length} intent(s) of an interrupted run, settled by the next plan or apply:`);
    for (const i of s.pendingIntents) lines.push(`  ${i.key}  ${i.action} by ${i.owner} (pid ${i.pid}, ${i.createdAt})`);
  }
  return `${lines.join('\n')}\n`;
}

export function registerStatusCommand(program: Command): void {
  const command = program
    .command('status')
    .description(
      "list what the state store records for the host (objects by owner, pending intents, the host lock); with DIR, each object's state against its manifest from a live read",
    )
    .argument('[dir]', "manifest directory: add each object's state (synced, drifted, restart-pending, stalled, …)")
    .addOption(connectOption())
    .option('--json', 'machine-readable output');
  stateOptions(command).action(async (dir: string | undefined, opts: StatusCommandOptions) => {
    process.exitCode = await runStatus(opts, processIo(), dir);
  });
}
