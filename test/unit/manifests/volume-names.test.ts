// A volume's name is a file name in its pool, and libvirt takes any but "/": names other tools
// made ("disk <old>.img", "vm disk 1") must validate, as a volume and as a domain's disk, so an
// exported host applies. "." and ".." and control characters are refused (fixtures/invalid).
import { describe, expect, it } from 'vitest';
import { formatError } from '../../../src/manifests/errors.js';
import { loadFromSources } from '../../../src/manifests/load-sources.js';

function errorsFor(volumeName: string): string[] {
  const text = `apiVersion: virtkeeper.io/v1
kind: StoragePool
metadata: {name: images}
spec: {type: dir, path: /var/lib/libvirt/images}
---
apiVersion: virtkeeper.io/v1
kind: StorageVolume
metadata: {name: ${JSON.stringify(volumeName)}}
spec: {pool: images, capacity: 1GiB}
---
apiVersion: virtkeeper.io/v1
kind: Domain
metadata: {name: web}
spec:
  memory: 1GiB
  state: stopped
  disks: [{volume: {pool: images, name: ${JSON.stringify(volumeName)}}, target: vda}]
`;
  return loadFromSources('.', [{ file: 'm.yaml', bytes: new TextEncoder().encode(text) }]).errors.map(formatError);
}

describe('volume names', () => {
  it.each(['<sparse>.img', 'vm disk 1.qcow2', 'a..b', '.hidden', 'é.img'])('%s is a valid volume and disk name', (name) => {
    expect(errorsFor(name)).toEqual([]);
  });

  it.each(['.', '..', 'a/b', 'tab\there', 'x'.repeat(256)])('%s is refused, on the volume and on the disk', (name) => {
    const errors = errorsFor(name);
    expect(errors.some((e) => e.includes('metadata.name'))).toBe(true);
    expect(errors.some((e) => e.includes('spec.disks[0].volume.name'))).toBe(true);
  });
});
