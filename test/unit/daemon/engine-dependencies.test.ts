// The daemon's dependency waits and reload fan-out ask the real engine for a manifest's
// dependencies: the kind's references(), with the optional ones (a VLAN's parent, a domain's
// bridge) resolved against the manifests the engine loaded last.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDefaultEngine } from '../../../src/reconciler/daemon-wiring.js';

const MANIFESTS = `apiVersion: virtkeeper.io/v1
kind: Interface
metadata: {name: eth0}
spec: {type: ethernet, startMode: onboot}
---
apiVersion: virtkeeper.io/v1
kind: Interface
metadata: {name: eth0.42}
spec: {type: vlan, startMode: onboot, vlan: {tag: 42, parent: eth0}}
---
apiVersion: virtkeeper.io/v1
kind: Interface
metadata: {name: eth1.7}
spec: {type: vlan, startMode: onboot, vlan: {tag: 7, parent: eth1}}
`;

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('engine.dependencies', () => {
  it("names a VLAN's parent when a manifest declares it, and not a plain host NIC", async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vk-deps-'));
    await writeFile(path.join(dir, 'interfaces.yaml'), MANIFESTS);
    const engine = createDefaultEngine();
    const loaded = await engine.loadManifests(dir);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const manifest = (key: string) => loaded.desired.byKey.get(key)!.manifest;
    expect(engine.dependencies(manifest('Interface/eth0.42'))).toEqual(['Interface/eth0']);
    expect(engine.dependencies(manifest('Interface/eth1.7'))).toEqual([]);
  });
});
