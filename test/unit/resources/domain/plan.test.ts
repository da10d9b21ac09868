import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DomainSpec } from '../../../../src/resources/domain/schema.js';
import type { AnyManifest } from '../../../../src/manifests/types.js';
import { domainKind, domainSpecFromXml, domainXmlString, resolveSpec } from '../../../../src/resources/domain/index.js';
import type { LiveResource, Step } from '../../../../src/resources/types.js';
import { stateWith } from './helpers.js';
import { payloadOf } from '../common/payload-of.js';

const BASE: DomainSpec = { type: 'kvm', memory: '1GiB', vcpus: 1, disks: [{ file: '/x.img', target: 'vda', bus: 'virtio' }] };

/** The live domain virtkeeper would have left after applying `spec`, in libvirt state `state`. */
function liveOf(name: string, spec: DomainSpec, state: string, autostart = false, xml?: string): LiveResource<'Domain'> {
  const doc =
    xml ??
    domainXmlString(name, resolveSpec(spec, undefined)).replace('<name>', '<uuid>0b6f1d9e-8e2a-4c51-9d3e-5f0a7b2c4d11</uuid>\n  <name>');
  const active = state === 'running' || state === 'paused';
  return {
    key: `Domain/${name}`,
    kind: 'Domain',
    name,
    xml: doc,
    spec: domainSpecFromXml(doc, { state, autostart }),
    active,
    persistent: true,
    markedOwned: true,
  };
}

function plan(spec: DomainSpec, live: LiveResource<'Domain'> | undefined, extra: AnyManifest[] = [], annotations?: Record<string, string>) {
  const { state, loaded } = stateWith('vm', spec, extra, annotations);
  return domainKind.plan(loaded, live, { desired: state, live: new Map() });
}

const ops = (steps: Step[]): string[] => steps.map((s) => (payloadOf(s).paused ? `${s.op}(paused)` : s.op));

describe('create', () => {
  it('defines and starts by default', () => {
    const c = plan(BASE, undefined);
    expect(c.action).toBe('create');
    expect(ops(c.steps)).toEqual(['define', 'start']);
    expect(payloadOf(c.steps[0]!).xml).toContain('<name>vm</name>');
    expect(c.changes.map((x) => x.path)).toEqual(['spec.type', 'spec.memory', 'spec.vcpus', 'spec.disks']);
    expect(c.reason).toBe('domain vm does not exist on the host');
    expect(c.restartRequired).toBe(false);
  });
  it('sets autostart and reaches the wanted state', () => {
    expect(ops(plan({ ...BASE, autostart: true, state: 'paused' }, undefined).steps)).toEqual(['define', 'setAutostart', 'start(paused)']);
    expect(ops(plan({ ...BASE, state: 'stopped' }, undefined).steps)).toEqual(['define']);
  });
  it('depends on the volumes, networks and node devices it uses', () => {
    const extra: AnyManifest[] = [
      { apiVersion: 'virtkeeper.io/v1', kind: 'NodeDevice', metadata: { name: 'gpu' }, spec: { pci: { bus: 1, slot: 0, function: 0 } } },
      {
        apiVersion: 'virtkeeper.io/v1',
        kind: 'NodeDevice',
        metadata: { name: 'nic' },
        spec: { pci: { domain: 0, bus: 2, slot: 0, function: 0 } },
      },
      { apiVersion: 'virtkeeper.io/v1', kind: 'Interface', metadata: { name: 'br0' }, spec: { type: 'bridge' } },
    ];
    const c = plan(
      {
        ...BASE,
        disks: [{ volume: { pool: 'images', name: 'root.qcow2' }, target: 'vda' }],
        interfaces: [{ network: 'lan' }, { bridge: 'br0' }, { bridge: 'virbr9' }],
        hostdevs: [{ nodeDevice: 'gpu' }, { pci: { bus: 2, slot: 0, function: 0 } }],
      },
      undefined,
      extra,
    );
    expect(c.dependsOn.sort()).toEqual([
      'Interface/br0',
      'Network/lan',
      'NodeDevice/gpu',
      'NodeDevice/nic',
      'StorageVolume/images/root.qcow2',
    ]);
  });
});

describe('update', () => {
  it('is a no-op when nothing differs', () => {
    const c = plan(BASE, liveOf('vm', BASE, 'running'));
    expect(c).toMatchObject({ action: 'no-op', steps: [], changes: [], restartRequired: false, reason: 'domain vm matches the manifest' });
  });

  it('redefines a running domain and reports restart required', () => {
    const c = plan({ ...BASE, memory: '2GiB' }, liveOf('vm', BASE, 'running'));
    expect(c.action).toBe('update');
    expect(c.changes).toEqual([{ path: 'spec.memory', before: '1GiB', after: '2GiB', class: 'redefine' }]);
    expect(ops(c.steps)).toEqual(['define']);
    expect(payloadOf(c.steps[0]!).xml).toContain('<uuid>0b6f1d9e-8e2a-4c51-9d3e-5f0a7b2c4d11</uuid>');
    expect(c.restartRequired).toBe(true);
    expect(c.reason).toBe('spec.memory differs from the manifest (takes effect at the next restart)');
  });

  it('restarts by itself with restartPolicy auto', () => {
    const c = plan({ ...BASE, memory: '2GiB', restartPolicy: 'auto' }, liveOf('vm', BASE, 'running'));
    expect(ops(c.steps)).toEqual(['define', 'shutdown', 'start']);
    expect(c.restartRequired).toBe(false);
    const paused = plan({ ...BASE, memory: '2GiB', restartPolicy: 'auto', state: 'paused' }, liveOf('vm', BASE, 'paused'));
    expect(ops(paused.steps)).toEqual(['define', 'destroy', 'start(paused)']);
  });

  it('needs no restart when the domain is off or is being stopped', () => {
    expect(plan({ ...BASE, vcpus: 2, state: 'stopped' }, liveOf('vm', BASE, 'shutoff')).restartRequired).toBe(false);
    const stopping = plan({ ...BASE, vcpus: 2, state: 'stopped' }, liveOf('vm', BASE, 'running'));
    expect(ops(stopping.steps)).toEqual(['define', 'shutdown']);
    expect(stopping.restartRequired).toBe(false);
    const starting = plan({ ...BASE, vcpus: 2 }, liveOf('vm', BASE, 'shutoff'));
    expect(ops(starting.steps)).toEqual(['define', 'start']);
    expect(starting.restartRequired).toBe(false);
  });

  it.each([
    ['shutoff', 'running', ['start'], 'domain vm is shut off, manifest wants running'],
    ['shutoff', 'paused', ['start(paused)'], 'domain vm is shut off, manifest wants paused'],
    ['running', 'stopped', ['shutdown'], 'domain vm is running, manifest wants stopped'],
    ['running', 'paused', ['suspend'], 'domain vm is running, manifest wants paused'],
    ['paused', 'running', ['resume'], 'domain vm is paused, manifest wants running'],
    ['paused', 'stopped', ['destroy'], 'domain vm is paused, manifest wants stopped'],
  ] as const)('lifecycle %s → %s', (from, to, steps, reason) => {
    const c = plan({ ...BASE, state: to }, liveOf('vm', BASE, from));
    expect(c.changes).toEqual([{ path: 'spec.state', before: from === 'shutoff' ? 'stopped' : from, after: to, class: 'live' }]);
    expect(ops(c.steps)).toEqual(steps);
    expect(c.reason).toBe(reason);
  });

  it('bounds a graceful shutdown', () => {
    const c = plan({ ...BASE, state: 'stopped' }, liveOf('vm', BASE, 'running'));
    expect(payloadOf(c.steps[0]!).timeoutMs).toBeGreaterThan(0);
  });

  it('applies autostart, title and description live', () => {
    const c = plan({ ...BASE, autostart: true, title: 'T', description: 'D' }, liveOf('vm', BASE, 'running'));
    expect(c.changes.map((x) => x.class)).toEqual(['live', 'live', 'live']);
    expect(c.steps).toEqual([
      { op: 'setMetadata', description: 'set title of domain vm', payload: { type: 'title', value: 'T', config: true, live: true } },
      {
        op: 'setMetadata',
        description: 'set description of domain vm',
        payload: { type: 'description', value: 'D', config: true, live: true },
      },
      { op: 'setAutostart', description: 'enable autostart of domain vm', payload: { autostart: true } },
    ]);
    expect(c.restartRequired).toBe(false);
  });

  it('carries libvirt defaults over into the redefined XML', () => {
    const xml = readFileSync('test/fixtures/domain/live/web-1.xml', 'utf8');
    const live = { ...liveOf('web-1', BASE, 'running', false, xml), name: 'vm' };
    const c = plan({ memory: '4GiB' }, live);
    expect(c.changes).toEqual([{ path: 'spec.memory', before: '2GiB', after: '4GiB', class: 'redefine' }]);
    expect(payloadOf(c.steps[0]!).xml).toContain('<emulator>/usr/bin/qemu-system-x86_64</emulator>');
  });
});

describe('replace', () => {
  it('is refused without the allow-replace annotation', () => {
    const c = plan({ ...BASE, type: 'qemu' }, liveOf('vm', BASE, 'running'));
    expect(c.action).toBe('replace');
    expect(c.changes).toEqual([{ path: 'spec.type', before: 'kvm', after: 'qemu', class: 'replace' }]);
    expect(c.refused).toMatch(/virtkeeper.io\/allow-replace/);
  });
  it('destroys, undefines (keeping NVRAM) and defines again when allowed', () => {
    const c = plan({ ...BASE, type: 'qemu', autostart: true }, liveOf('vm', BASE, 'running', true), [], {
      'virtkeeper.io/allow-replace': 'true',
    });
    expect(c.refused).toBeUndefined();
    expect(ops(c.steps)).toEqual(['destroy', 'undefine', 'define', 'setAutostart', 'start']);
    expect(c.steps[1]?.payload).toMatchObject({ managedSave: true, snapshotsMetadata: true, keepNvram: false });
    expect(payloadOf(c.steps[2]!).xml).toContain('<domain type="qemu">');
    expect(payloadOf(c.steps[2]!).xml).toContain('0b6f1d9e-8e2a-4c51-9d3e-5f0a7b2c4d11');
  });
});

describe('delete', () => {
  it('destroys an active domain, then undefines it with its metadata', () => {
    const live = liveOf(
      'vm',
      { ...BASE, disks: [{ volume: { pool: 'images', name: 'a' }, target: 'vda' }], interfaces: [{ network: 'lan' }] },
      'running',
    );
    const c = domainKind.plan(undefined, live, { desired: stateWith('other', BASE).state, live: new Map() });
    expect(c.action).toBe('delete');
    expect(ops(c.steps)).toEqual(['destroy', 'undefine']);
    expect(c.steps[1]?.payload).toMatchObject({ managedSave: true, snapshotsMetadata: true, checkpointsMetadata: true, nvram: false });
    expect(c.dependsOn.sort()).toEqual(['Network/lan', 'StorageVolume/images/a']);
    expect(c.reason).toBe('domain vm is managed by virtkeeper but no longer in the manifests');
  });
  it('removes NVRAM when the domain has one, and skips destroy when off', () => {
    const xml = readFileSync('test/fixtures/domain/live/web-1.xml', 'utf8');
    const c = domainKind.plan(undefined, liveOf('web-1', BASE, 'shutoff', false, xml), {
      desired: stateWith('other', BASE).state,
      live: new Map(),
    });
    expect(ops(c.steps)).toEqual(['undefine']);
    expect(payloadOf(c.steps[0]!).nvram).toBe(true);
  });
});
