// The detach step's wait when libvirt cannot send device-removed events for the domain: it
// reads the live XML until the device is gone, or reports the guest that keeps it. A fake
// client stands in for a driver without the event (the real one is tested on the TCG guest).
import { describe, expect, it } from 'vitest';
import type { DomainRef, LibvirtClient } from '../../../../src/libvirt/client.js';
import { domainKind } from '../../../../src/resources/domain/index.js';
import type { ResourceChange, Step } from '../../../../src/resources/types.js';

const REF: DomainRef = { name: 'vm', uuid: '0b6f1d9e-8e2a-4c51-9d3e-5f0a7b2c4d11', id: 1 };
const NIC = "<interface type='network'><mac address='52:54:00:aa:00:02'/><source network='lan'/><alias name='net1'/></interface>";
const xmlWith = (plugged: boolean) => `<domain type='qemu'><name>vm</name><devices>${plugged ? NIC : ''}</devices></domain>`;

/** A client whose guest releases the NIC after `releaseAfterReads` reads of the live XML (never when undefined). */
function fakeClient(releaseAfterReads: number | undefined) {
  let reads = 0;
  const calls: string[] = [];
  const client = {
    getDomain: async () => REF,
    getDomainXml: async () => {
      reads++;
      return xmlWith(releaseAfterReads === undefined || reads <= releaseAfterReads);
    },
    detachDevice: async (_ref: DomainRef, _xml: string, impact: { live?: boolean; config?: boolean }) => {
      calls.push(`detach live=${impact.live} config=${impact.config}`);
    },
    watchDeviceRemoved: async () => {
      throw new Error('this driver has no device-removed event');
    },
  };
  return { client: client as unknown as LibvirtClient, calls, reads: () => reads };
}

const step: Step = {
  op: 'detachDevice',
  description: 'detach NIC',
  payload: { device: 'interface', mac: '52:54:00:aa:00:02', xml: NIC, live: true, config: true, timeoutMs: 1500 },
};
const change = {
  key: 'Domain/vm',
  kind: 'Domain',
  name: 'vm',
  action: 'update',
  changes: [],
  restartRequired: false,
  reason: '',
  steps: [step],
  dependsOn: [],
} as ResourceChange<'Domain'>;

describe('detach without device-removed events', () => {
  it('waits by reading the live XML until the guest has released the device', async () => {
    const { client, calls, reads } = fakeClient(3);
    const progress: string[] = [];
    await domainKind.execute(step, change, client, (m) => progress.push(m));
    // It returned only after a read showed the NIC gone (the fourth).
    expect(reads()).toBe(4);
    expect(calls).toEqual(['detach live=true config=true']);
    expect(progress).toEqual(['waiting up to 1.5s for the guest of domain vm to release NIC 52:54:00:aa:00:02']);
  });

  it('reports a guest that keeps the device past the timeout, once', async () => {
    const { client, calls } = fakeClient(undefined);
    await expect(domainKind.execute(step, change, client)).rejects.toThrow(
      'the guest of domain vm did not release NIC 52:54:00:aa:00:02 (alias net1) within 1.5s; libvirt has asked it to, and the device stays until the guest lets go or the domain restarts',
    );
    expect(calls).toHaveLength(1);
  });
});
