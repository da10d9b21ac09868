// The planner's two guards for sources sharing a host: the empty-tree guard on prune, and the
// refusal of manifests that describe an object another source recorded; and the stall notes
// the daemon leaves for plan and apply.
import { describe, expect, it } from 'vitest';
import { emptyInventory, recordObject, type Inventory } from '../../../src/reconciler/inventory.js';
import { buildPlan, type PlanOptions } from '../../../src/reconciler/planner.js';
import type { AnyManifest, IdentityKey } from '../../../src/manifests/types.js';
import { fingerprintDigest, manifestFingerprint } from '../../../src/reconciler/daemon-keys.js';
import { renderHuman } from '../../../src/reconciler/render/human.js';
import { toJsonPlan } from '../../../src/reconciler/render/json.js';
import { renderMarkdown } from '../../../src/reconciler/render/markdown.js';
import { desiredOf, fakeRegistry, liveOf, manifest } from './planner-fakes.js';

const host = { key: 'h_test_default', hostname: 'h', uri: 'test:///default' };

function owned(owner: string, ...names: string[]): Inventory {
  let inv: Inventory = { ...emptyInventory(host), owner };
  for (const n of names) inv = recordObject(inv, `Network/${n}`, { kind: 'Network', name: n, origin: 'created', pruneDisabled: false });
  return inv;
}

const nets = (...names: string[]): AnyManifest[] => names.map((n) => manifest('Network', n));

function plan(
  desired: AnyManifest[],
  live: AnyManifest[],
  inventory: Inventory,
  options: PlanOptions,
  foreign?: Map<IdentityKey, { owner: string }>,
) {
  return buildPlan({
    desired: desiredOf(...desired),
    live: liveOf(...live),
    inventory,
    registry: fakeRegistry(),
    options,
    ...(foreign ? { foreign } : {}),
  });
}

const deletes = (p: ReturnType<typeof plan>): string[] => p.changes.filter((c) => c.action === 'delete').map((c) => c.key);

describe('the empty-tree guard', () => {
  const all = nets('a', 'b', 'c', 'd');
  const inv = owned('src', 'a', 'b', 'c', 'd');

  it('refuses to prune when the manifests are empty, keeping everything, unless --allow-empty', () => {
    const blocked = plan([], all, inv, { prune: true });
    expect(blocked.pruneBlocked).toBe(
      'prune refused: the manifests are empty and prune would delete 4 recorded objects of src; pass --allow-empty if the source is meant to be empty',
    );
    expect(deletes(blocked)).toEqual([]);
    expect(blocked.retained.map((r) => [r.key, r.reason])).toEqual(['a', 'b', 'c', 'd'].map((n) => [`Network/${n}`, 'prune-blocked']));
    const allowed = plan([], all, inv, { prune: true, allowEmpty: true });
    expect(allowed.pruneBlocked).toBeUndefined();
    expect(deletes(allowed)).toHaveLength(4);
  });

  it("refuses to delete more than --prune-max of the owner's records (default 50%)", () => {
    const three = plan(nets('a'), all, inv, { prune: true });
    expect(three.pruneBlocked).toMatch(
      /^prune refused: it would delete 3 of the 4 objects recorded of src \(75%\), more than --prune-max 50%; pass --prune-max 100% if that is intended$/,
    );
    expect(deletes(three)).toEqual([]);
    expect(deletes(plan(nets('a', 'b'), all, inv, { prune: true }))).toEqual(['Network/c', 'Network/d']);
    expect(deletes(plan(nets('a'), all, inv, { prune: true, pruneMax: 1 }))).toHaveLength(3);
    expect(plan(nets('a', 'b', 'c'), all, inv, { prune: true, pruneMax: 0.2 }).pruneBlocked).toMatch(
      /1 of the 4 .* \(25%\), more than --prune-max 20%/,
    );
  });

  it('does not apply without --prune, nor when nothing would be deleted', () => {
    expect(plan([], all, inv, { prune: false }).pruneBlocked).toBeUndefined();
    expect(plan([], [], inv, { prune: true }).pruneBlocked).toBeUndefined();
  });
});

describe('objects another source recorded', () => {
  const foreign = new Map([['Network/shared', { owner: 'git@example.com:infra.git//b' }]]);

  it('are refused, naming the owner, even when nothing would change', () => {
    const p = plan(nets('shared', 'mine'), nets('shared'), owned('a'), { prune: false }, foreign);
    const shared = p.changes.find((c) => c.key === 'Network/shared')!;
    expect(shared.action).toBe('no-op');
    expect(shared.refused).toBe(
      'owned by git@example.com:infra.git//b; annotate the manifest virtkeeper.io/adopt-from: "git@example.com:infra.git//b" to move it to this source',
    );
    expect(p.changes.find((c) => c.key === 'Network/mine')!.refused).toBeUndefined();
  });

  it('move with virtkeeper.io/adopt-from naming exactly that owner', () => {
    const adopting = manifest('Network', 'shared', {}, { 'virtkeeper.io/adopt-from': 'git@example.com:infra.git//b' });
    expect(plan([adopting], nets('shared'), owned('a'), { prune: false }, foreign).changes[0]!.refused).toBeUndefined();
    const wrong = manifest('Network', 'shared', {}, { 'virtkeeper.io/adopt-from': 'someone-else' });
    expect(plan([wrong], nets('shared'), owned('a'), { prune: false }, foreign).changes[0]!.refused).toMatch(
      /^owned by git@example.com:infra.git\/\/b, but virtkeeper.io\/adopt-from names "someone-else"/,
    );
  });

  it("are never pruned: prune only sees this owner's records", () => {
    const p = plan(nets('mine'), nets('mine', 'shared'), owned('a', 'mine'), { prune: true }, foreign);
    expect(deletes(p)).toEqual([]);
    expect(p.retained).toEqual([]);
  });
});

describe('objects the daemon found stalled', () => {
  const wanted = manifest('Network', 'lan', { value: 2 });
  const digest = fingerprintDigest(manifestFingerprint(wanted));
  const note = {
    manifestDigest: digest,
    message: 'libvirt does not keep spec.size',
    since: '2026-12-02T10:00:00.000Z',
    retryAt: '2026-12-02T10:05:00.000Z',
  };
  const planWith = (desired: AnyManifest, live: AnyManifest) =>
    buildPlan({
      desired: desiredOf(desired),
      live: liveOf(live),
      inventory: owned('a'),
      registry: fakeRegistry(),
      options: { prune: false },
      stalls: new Map([['Network/lan', note]]),
    });

  it('are marked stalled in the plan, and shown so in every format', () => {
    const change = planWith(wanted, manifest('Network', 'lan', { value: 1 })).changes[0]!;
    expect(change.action).toBe('update');
    expect(change.stalled).toEqual({ message: note.message, since: note.since, retryAt: note.retryAt });
    const p = planWith(wanted, manifest('Network', 'lan', { value: 1 }));
    expect(renderHuman(p, { connect: 'test:///default', color: false })).toContain(
      '! stalled: libvirt does not keep spec.size (the daemon found it so since 2026-12-02T10:00:00.000Z; it tries again at 2026-12-02T10:05:00.000Z)',
    );
    expect(toJsonPlan(p, 'test:///default').resource_changes[0]!.stalled).toEqual({
      message: note.message,
      since: note.since,
      retry_at: note.retryAt,
    });
    expect(renderMarkdown(p, { connect: 'test:///default' })).toContain('**stalled:** libvirt does not keep spec.size');
  });

  it('are not stalled once the manifest changed, nor when nothing differs', () => {
    expect(
      planWith(manifest('Network', 'lan', { value: 3 }), manifest('Network', 'lan', { value: 1 })).changes[0]!.stalled,
    ).toBeUndefined();
    expect(planWith(wanted, wanted).changes[0]!.stalled).toBeUndefined();
  });
});
