// Host facts before planning: a read-write connection probes the interface driver and remembers
// the answer; a read-only one uses what was remembered; no probe when no interface is managed.
import { describe, expect, it } from 'vitest';
import type { InterfaceBackend, LibvirtClient } from '../../../src/libvirt/client.js';
import { managesInterfaces, readHostFacts } from '../../../src/reconciler/host-facts.js';
import { desiredOf, manifest } from './planner-fakes.js';

function client(answer: InterfaceBackend): LibvirtClient & { probes: number } {
  const c = { probes: 0, interfaceBackend: async () => (c.probes++, answer) };
  return c as unknown as LibvirtClient & { probes: number };
}

function memory(initial?: string) {
  const facts = new Map<string, string>(initial ? [['interface_backend', initial]] : []);
  return { facts, fact: (n: string) => facts.get(n), rememberFact: (n: string, v: string) => void facts.set(n, v) };
}

describe('readHostFacts', () => {
  it('probes read-write connections and remembers the answer', async () => {
    const m = memory();
    expect(await readHostFacts(client('read-only'), true, m)).toEqual({ interfaceBackend: 'read-only' });
    expect(m.facts.get('interface_backend')).toBe('read-only');
  });

  it('uses the remembered answer when the connection cannot probe (read-only)', async () => {
    expect(await readHostFacts(client('unknown'), true, memory('read-only'))).toEqual({ interfaceBackend: 'read-only' });
    expect(await readHostFacts(client('unknown'), true, memory())).toEqual({ interfaceBackend: 'unknown' });
  });

  it('does not probe when no interface is managed', async () => {
    const c = client('read-only');
    expect(await readHostFacts(c, false, memory())).toEqual({});
    expect(c.probes).toBe(0);
    expect(managesInterfaces(desiredOf(manifest('Network', 'lan')), ['Network/lan'])).toBe(false);
    expect(managesInterfaces(desiredOf(manifest('Network', 'lan')), ['Interface/br0'])).toBe(true);
    expect(managesInterfaces(desiredOf(manifest('Interface', 'br0')), [])).toBe(true);
  });
});
