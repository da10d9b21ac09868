// The running half of a domain's plan: restart pending, live balloon and vCPU changes, and how
// restarts and stops are announced (restartPolicy, stopMode, shutdownTimeout).
import { describe, expect, it } from 'vitest';
import type { DomainSpec } from '../../../../src/resources/domain/schema.js';
import { domainKind, domainSpecFromXml, domainXmlString, durationMs, resolveSpec } from '../../../../src/resources/domain/index.js';
import type { LiveResource, Step } from '../../../../src/resources/types.js';
import { stateWith } from './helpers.js';
import { payloadOf } from '../common/payload-of.js';

const BASE: DomainSpec = { type: 'qemu', memory: '512MiB', currentMemory: '256MiB', vcpus: 1, maxVcpus: 2 };

/** A running domain whose persistent config is `defined` and whose guest runs with `running`. */
function liveOf(defined: DomainSpec, running: DomainSpec = defined, state = 'running'): LiveResource<'Domain'> {
  const xml = (spec: DomainSpec) =>
    domainXmlString('vm', resolveSpec(spec, undefined)).replace('<name>', '<uuid>0b6f1d9e-8e2a-4c51-9d3e-5f0a7b2c4d11</uuid>\n  <name>');
  const active = state !== 'shutoff' && state !== 'saved';
  const live: LiveResource<'Domain'> = {
    key: 'Domain/vm',
    kind: 'Domain',
    name: 'vm',
    xml: xml(defined),
    spec: domainSpecFromXml(xml(defined), { state }),
    active,
    persistent: true,
    markedOwned: true,
  };
  if (active) live.running = domainSpecFromXml(xml(running), { state });
  return live;
}

function plan(spec: DomainSpec, live: LiveResource<'Domain'>) {
  const { state, loaded } = stateWith('vm', spec, []);
  return domainKind.plan(loaded, live, { desired: state, live: new Map() });
}

const ops = (steps: Step[]): string[] => steps.map((s) => s.op);

describe('restart pending', () => {
  it('a change defined but not running is pending, never "matches"', () => {
    const c = plan(
      { ...BASE, memory: '192MiB', currentMemory: undefined },
      liveOf({ ...BASE, memory: '192MiB', currentMemory: undefined }, { ...BASE, memory: '128MiB', currentMemory: undefined }),
    );
    expect(c.action).toBe('no-op');
    expect(c.steps).toEqual([]);
    expect(c.restartPending).toEqual([{ path: 'spec.memory', running: '128MiB', defined: '192MiB' }]);
    expect(c.reason).toBe('restart pending: spec.memory 128MiB running, 192MiB defined');
  });

  it('a redefine of a running domain is restart required now and pending afterwards', () => {
    const first = plan({ ...BASE, maxVcpus: 4 }, liveOf(BASE));
    expect(first.restartRequired).toBe(true);
    expect(ops(first.steps)).toEqual(['define']);
    expect(first.restartPending).toBeUndefined();
    const after = plan({ ...BASE, maxVcpus: 4 }, liveOf({ ...BASE, maxVcpus: 4 }, BASE));
    expect(after.restartPending).toEqual([{ path: 'spec.maxVcpus', running: 2, defined: 4 }]);
  });

  it('nothing is pending on a domain that does not run', () => {
    const c = plan({ ...BASE, state: 'stopped' }, liveOf(BASE, BASE, 'shutoff'));
    expect(c.action).toBe('no-op');
    expect(c.restartPending).toBeUndefined();
  });

  it('restartPolicy auto restarts a pending domain, announcing how it stops', () => {
    const c = plan({ ...BASE, memory: '1GiB', restartPolicy: 'auto', shutdownTimeout: '5s' }, liveOf({ ...BASE, memory: '1GiB' }, BASE));
    expect(ops(c.steps)).toEqual(['shutdown', 'start']);
    expect(c.steps[0]).toMatchObject({ description: 'restart: shut down domain vm (force off after 5s)', payload: { timeoutMs: 5000 } });
    expect(c.reason).toContain('will restart: shutdown, then force off after 5s');
    expect(c.restartPending ?? []).toEqual([]);
  });

  it('announces the default timeout, and destroy with stopMode destroy', () => {
    const auto = plan({ ...BASE, memory: '1GiB', restartPolicy: 'auto' }, liveOf(BASE));
    expect(auto.reason, auto.reason).toContain('will restart: shutdown, then force off after 60s');
    expect(ops(auto.steps)).toEqual(['define', 'shutdown', 'start']);
    const destroy = plan({ ...BASE, memory: '1GiB', restartPolicy: 'auto', stopMode: 'destroy' }, liveOf(BASE));
    expect(ops(destroy.steps)).toEqual(['define', 'destroy', 'start']);
    expect(destroy.reason).toContain('will restart: destroy (power off at once)');
    const stop = plan({ ...BASE, state: 'stopped', stopMode: 'destroy' }, liveOf(BASE));
    expect(ops(stop.steps)).toEqual(['destroy']);
  });
});

describe('live changes', () => {
  it('balloons currentMemory within the running maximum, live and in the config', () => {
    const c = plan({ ...BASE, currentMemory: '384MiB' }, liveOf(BASE));
    expect(c.changes).toEqual([{ path: 'spec.currentMemory', before: '256MiB', after: '384MiB', class: 'live' }]);
    expect(c.steps).toEqual([
      {
        op: 'setMemory',
        description: 'set memory of running domain vm to 384MiB (balloon)',
        payload: { kib: 384 * 1024, live: true, config: true },
      },
    ]);
    expect(c.restartRequired).toBe(false);
  });

  it('hot-plugs vCPUs up to maxVcpus', () => {
    const c = plan({ ...BASE, vcpus: 2 }, liveOf(BASE));
    expect(c.changes.map((x) => x.class)).toEqual(['live']);
    expect(c.steps).toEqual([
      { op: 'setVcpus', description: 'set vCPUs of running domain vm to 2 (hotplug)', payload: { count: 2, live: true, config: true } },
    ]);
  });

  it('beyond the running maximum it is a redefine, with the reason', () => {
    const c = plan({ ...BASE, vcpus: 3, maxVcpus: 2 }, liveOf(BASE));
    expect(c.changes).toEqual([
      { path: 'spec.vcpus', before: 1, after: 3, class: 'redefine', reason: 'more than the running maximum of 2 (spec.maxVcpus)' },
    ]);
    expect(c.restartRequired).toBe(true);
  });

  it('writes only the live side when a redefine writes the config anyway', () => {
    const c = plan({ ...BASE, currentMemory: '384MiB', onReboot: 'destroy' }, liveOf(BASE));
    expect(ops(c.steps)).toEqual(['define', 'setMemory']);
    expect(c.steps[1]?.payload).toMatchObject({ live: true, config: false });
  });

  it('fixes a running value the config already has', () => {
    const c = plan({ ...BASE, currentMemory: '384MiB' }, liveOf({ ...BASE, currentMemory: '384MiB' }, BASE));
    expect(c.action).toBe('update');
    expect(ops(c.steps)).toEqual(['setMemory']);
    expect(c.restartPending).toBeUndefined();
  });
});

describe('device hotplug', () => {
  const vda = { target: 'vda', file: '/images/root.img' };
  const vdb = { target: 'vdb', file: '/images/data.img' };
  const cd = (file: string) => ({ device: 'cdrom' as const, target: 'hdc', bus: 'ide' as const, file });
  const nic = (mac: string, network = 'lan') => ({ network, mac });
  const withDisks = (...disks: DomainSpec['disks'] & object) => ({ ...BASE, disks });
  const withNics = (...interfaces: DomainSpec['interfaces'] & object) => ({ ...BASE, interfaces });

  it('attaches a virtio disk to the running guest and its config, class live, no restart', () => {
    const c = plan(withDisks(vda, vdb), liveOf(withDisks(vda)));
    expect(c.changes).toEqual([{ path: 'spec.disks[1]', after: { ...vdb, device: 'disk', format: 'raw' }, class: 'live' }]);
    expect(ops(c.steps)).toEqual(['attachDevice']);
    expect(c.steps[0]).toMatchObject({
      description: 'attach disk vdb (/images/data.img) to running domain vm (hotplug)',
      payload: { live: true, config: true },
    });
    expect(payloadOf(c.steps[0]!).xml).toContain('<target dev="vdb"/>');
    expect(c.restartRequired).toBe(false);
  });

  it('detaches a disk the manifest no longer lists, matched by target', () => {
    const c = plan(withDisks(vda), liveOf(withDisks(vda, vdb)));
    expect(ops(c.steps)).toEqual(['detachDevice']);
    expect(c.steps[0]?.payload).toMatchObject({ device: 'disk', target: 'vdb', live: true, config: true });
  });

  it("libvirt's own disk order is not drift", () => {
    const c = plan(withDisks(cd('/iso/a.iso'), vda), liveOf(withDisks(vda, cd('/iso/a.iso'))));
    expect(c.action).toBe('no-op');
  });

  it('changes a cdrom medium in place', () => {
    const c = plan(withDisks(vda, cd('/iso/b.iso')), liveOf(withDisks(vda, cd('/iso/a.iso'))));
    expect(c.changes).toEqual([{ path: 'spec.disks[1].file', before: '/iso/a.iso', after: '/iso/b.iso', class: 'live' }]);
    expect(c.steps).toMatchObject([
      { op: 'updateDevice', description: 'change the medium of cdrom hdc of running domain vm to /iso/b.iso' },
    ]);
  });

  it('an ide disk cannot be plugged: redefine with the reason', () => {
    const c = plan(withDisks(vda, { target: 'hdb', file: '/images/x.img' }), liveOf(withDisks(vda)));
    expect(c.changes[0]).toMatchObject({ class: 'redefine', reason: 'disk hdb (ide) cannot be plugged into a running guest' });
    expect(ops(c.steps)).toEqual(['define']);
    expect(c.restartRequired).toBe(true);
  });

  it('a disk changing in place is not live', () => {
    const c = plan(withDisks({ ...vda, cache: 'none' }), liveOf(withDisks(vda)));
    expect(c.changes[0]?.reason).toBe(
      "disk vda changes in place (cache); a running guest can only gain or lose disks or change a cdrom's medium",
    );
  });

  it('plugs and unplugs NICs, matched by MAC', () => {
    const a = nic('52:54:00:00:00:0a');
    const b = nic('52:54:00:00:00:0b', 'dmz');
    const c = plan(withNics(b, nic('52:54:00:00:00:0c')), liveOf(withNics(a, b)));
    expect(c.steps.map((s) => s.description)).toEqual([
      'detach NIC 52:54:00:00:00:0a on network lan from running domain vm (hot-unplug)',
      'attach NIC 52:54:00:00:00:0c on network lan to running domain vm (hotplug)',
    ]);
    expect(c.steps[0]?.payload).toMatchObject({ device: 'interface', mac: '52:54:00:00:00:0a' });
    expect(c.changes.every((x) => x.class === 'live')).toBe(true);
    expect(c.restartRequired).toBe(false);
  });

  it('a new NIC listed before kept ones is plugged too: NICs are matched by MAC, not by place', () => {
    const a = nic('52:54:00:00:00:0a');
    const c = plan(withNics(nic('52:54:00:00:00:0c'), a), liveOf(withNics(a)));
    expect(c.changes).toMatchObject([{ path: 'spec.interfaces[0]', class: 'live' }]);
    expect(c.steps).toMatchObject([
      { op: 'attachDevice', description: 'attach NIC 52:54:00:00:00:0c on network lan to running domain vm (hotplug)' },
    ]);
    // Once plugged, libvirt lists it last: not drift.
    expect(plan(withNics(nic('52:54:00:00:00:0c'), a), liveOf(withNics(a, nic('52:54:00:00:00:0c')))).action).toBe('no-op');
  });

  it('a NIC changing in place (its model) is not live', () => {
    const c = plan(withNics({ ...nic('52:54:00:00:00:0a'), model: 'e1000' }), liveOf(withNics(nic('52:54:00:00:00:0a'))));
    expect(c.changes[0]).toMatchObject({
      path: 'spec.interfaces[0].model',
      class: 'redefine',
      reason: 'NIC 0 changes in place (model); a running guest can only gain or lose NICs',
    });
  });

  it('plugs the guest only when the config already has the device (with what libvirt filled in)', () => {
    const c = plan(withDisks(vda, vdb), liveOf(withDisks(vda, { ...vdb, bus: 'virtio', serial: 'D1' }), withDisks(vda)));
    expect(c.steps).toMatchObject([{ op: 'attachDevice', payload: { live: true, config: false } }]);
    expect(c.restartPending).toBeUndefined();
  });

  it('leaves device lists to a redefine the plan makes anyway, so no device is defined twice', () => {
    const c = plan({ ...withDisks(vda, vdb), onReboot: 'destroy' }, liveOf(withDisks(vda)));
    expect(ops(c.steps)).toEqual(['define']);
    expect(c.changes.find((x) => x.path === 'spec.disks[1]')?.reason).toBe(
      'the domain is redefined for other changes, which a restart applies',
    );
    expect(c.restartRequired).toBe(true);
  });

  it('a shut-off domain gets its devices by redefine', () => {
    const c = plan({ ...withDisks(vda, vdb), state: 'stopped' }, liveOf(withDisks(vda), withDisks(vda), 'shutoff'));
    expect(ops(c.steps)).toEqual(['define']);
  });
});

describe('state: saved (managed save)', () => {
  const steps = (spec: DomainSpec, live: LiveResource<'Domain'>) =>
    plan(spec, live).steps.map((s) => [s.op, payloadOf(s).paused === true ? 'paused' : '']);

  it('saves a running or paused guest, and starts a shut-off one first', () => {
    expect(steps({ ...BASE, state: 'saved' }, liveOf(BASE))).toEqual([['managedSave', '']]);
    expect(steps({ ...BASE, state: 'saved' }, liveOf(BASE, BASE, 'paused'))).toEqual([['managedSave', '']]);
    expect(steps({ ...BASE, state: 'saved' }, liveOf(BASE, BASE, 'shutoff'))).toEqual([
      ['start', ''],
      ['managedSave', ''],
    ]);
  });

  it('a saved domain matches state saved', () => {
    const c = plan({ ...BASE, state: 'saved' }, liveOf(BASE, BASE, 'saved'));
    expect(c.action).toBe('no-op');
  });

  it('resumes a saved guest by start, paused when asked', () => {
    const c = plan(BASE, liveOf(BASE, BASE, 'saved'));
    expect(c.steps).toEqual([{ op: 'start', description: 'resume saved domain vm (restore its managed save image)' }]);
    expect(c.reason).toBe('domain vm is saved, manifest wants running');
    expect(steps({ ...BASE, state: 'paused' }, liveOf(BASE, BASE, 'saved'))).toEqual([['start', 'paused']]);
  });

  it('stops a saved guest gracefully (resume, then shutdown), or discards the image with stopMode destroy', () => {
    expect(steps({ ...BASE, state: 'stopped' }, liveOf(BASE, BASE, 'saved'))).toEqual([
      ['start', ''],
      ['shutdown', ''],
    ]);
    expect(steps({ ...BASE, state: 'stopped', stopMode: 'destroy' }, liveOf(BASE, BASE, 'saved'))).toEqual([['discardSave', '']]);
  });

  it('a redefine of a saved domain is restart required: the guest resumes with the config it was saved with', () => {
    const c = plan({ ...BASE, state: 'saved', onReboot: 'destroy' }, liveOf(BASE, BASE, 'saved'));
    expect(ops(c.steps)).toEqual(['define']);
    expect(c.restartRequired).toBe(true);
  });
});

describe('maxVcpus', () => {
  it('equal to vcpus is what libvirt writes without current=, not a change', () => {
    const spec = { ...BASE, vcpus: 2, maxVcpus: 2 };
    expect(plan(spec, liveOf(spec)).action).toBe('no-op');
  });
});

describe('durations', () => {
  it.each([
    ['90s', 90_000],
    ['2m', 120_000],
    [45, 45_000],
    [undefined, 60_000],
  ] as const)('%s', (d, ms) => expect(durationMs(d, 60_000)).toBe(ms));
});
