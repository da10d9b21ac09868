// doctor against real private libvirtds: the test driver (a reachable host) and the QEMU driver
// of the same daemon (no KVM on these machines: TCG only is a warning, not a failure).
import { describe, expect, it } from 'vitest';
import { runChecks } from '../../../src/doctor/checks.js';
import { usePrivateLibvirtd } from '../../support/libvirtd.js';

describe('virtkeeper doctor on a real daemon', () => {
  const fixture = usePrivateLibvirtd();

  it('connects read-only, names the auth the daemon offers and its driver', async () => {
    const results = await runChecks({ uri: fixture.daemon.testUri });
    const byName = new Map(results.map((r) => [r.name, r]));
    expect(byName.get('socket')?.status).toBe('ok');
    expect(byName.get('connect')).toMatchObject({ status: 'ok' });
    expect(byName.get('connect')?.detail).toContain('auth offered: none');
    expect(byName.get('driver')?.detail).toMatch(/^TEST .*libvirt 9\./);
    expect(results.filter((r) => r.status === 'fail')).toEqual([]);
  });

  it('on the QEMU driver says whether KVM is there and checks virtlogd', async () => {
    const results = await runChecks({ uri: fixture.daemon.uri('qemu', '/system') });
    const hv = results.find((r) => r.name === 'hypervisor');
    const kvm = (await import('node:fs')).existsSync('/dev/kvm');
    expect(hv?.status).toBe(kvm ? 'ok' : 'warn');
    if (!kvm) expect(hv?.detail).toContain('TCG only');
    expect(results.find((r) => r.name === 'virtlogd')?.status).toMatch(/^(ok|fail)$/);
  }, 120_000);
});
