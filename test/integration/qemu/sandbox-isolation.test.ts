// The sandbox's real QEMU driver: guests start (virtlogd runs inside the daemon's namespaces),
// their logs stay in the sandbox dir, and networks, bridges, dnsmasq and firewall rules stay in
// the daemon's own network namespace — the machine's own network never changes.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { consoleOffset, waitForConsole } from '../../support/guest/console.js';
import { guestDomain, qemuUnavailable, useQemuSandbox } from '../../support/qemu.js';
import { READ_ONLY_INTERFACES } from '../../../src/resources/interface/plan.js';
import { apply, plan } from '../reconciler/support.js';

const skip = qemuUnavailable();

function hostLinks(): string[] {
  return execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => /^\d+:\s+([^:@]+)/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined)
    .sort();
}

function hostRules(): string {
  return ['filter', 'nat', 'mangle'].map((t) => execFileSync('iptables', ['-t', t, '-S'], { encoding: 'utf8' })).join('');
}

/** Host pids whose command line mentions `needle`. */
function processesWith(needle: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

describe.skipIf(skip)('sandbox with the real QEMU driver (TCG)', () => {
  const sb = useQemuSandbox();

  it('boots the test guest: virtlogd runs inside, logs stay in the sandbox dir', async () => {
    await sb.write('guest', guestDomain(sb, 'boot-1'));
    const started = Date.now();
    const run = await apply(sb.manifests, { connect: sb.uri, stateDir: sb.stateDir });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const log = sb.consoleFile('boot-1');
    await waitForConsole(log, /VK-READY/, { timeoutMs: 90_000 });
    const bootMs = Date.now() - started;
    console.info(`test guest: apply + boot to VK-READY in ${bootMs} ms`);
    await waitForConsole(log, /VK-STATUS memtotal_kib=\d+ nproc=1 /, { fromOffset: consoleOffset(log), timeoutMs: 30_000 });
    expect(sb.virsh('domstate', 'boot-1')).toBe('running');
    expect(existsSync(path.join(sb.daemon.guestLogDir, 'qemu', 'boot-1.log'))).toBe(true);
    expect(readFileSync(path.join(sb.daemon.guestLogDir, 'qemu', 'boot-1.log'), 'utf8')).toContain('qemu-system-x86_64');
    sb.virsh('destroy', 'boot-1');
  }, 180_000);

  it('keeps a NAT network of examples/sandbox, its bridge, dnsmasq and iptables rules off the host', async () => {
    const linksBefore = hostLinks();
    const rulesBefore = hostRules();
    const dir = path.join(sb.manifests, '..', 'examples-sandbox');
    await cp(path.resolve('examples/sandbox'), dir, { recursive: true });
    const run = await apply(dir, { connect: sb.uri, stateDir: path.join(sb.stateDir, 'examples') });
    expect(run.stdout).toContain('Network/lan: create done');
    expect(sb.virsh('net-info', 'lan')).toMatch(/Active:\s+yes/);
    const inside = execFileSync('nsenter', ['-t', String(sb.daemon.pid), '-n', 'ip', '-o', 'link', 'show'], { encoding: 'utf8' });
    expect(inside).toContain('virbr10');
    expect(hostLinks()).toEqual(linksBefore);
    expect(hostLinks()).not.toContain('virbr10');
    expect(hostRules()).toBe(rulesBefore);
  }, 180_000);

  it('refuses interface changes at plan time on the real interface driver (udev: read-only), in apply and in a later read-only plan', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vk-iface-'));
    try {
      await writeFile(
        path.join(dir, 'br.yaml'),
        'apiVersion: virtkeeper.io/v1\nkind: Interface\nmetadata: {name: vkbr0}\nspec: {type: bridge, startMode: none, bridge: {stp: false}}\n',
      );
      const stateDir = path.join(dir, 'state');
      const applied = await apply(path.join(dir), { connect: sb.uri, stateDir });
      expect(applied.code).toBe(1);
      expect(applied.stdout).toContain(`Interface/vkbr0 create REFUSED: ${READ_ONLY_INTERFACES}`);
      expect(applied.stdout + applied.stderr).not.toContain('VIR_ERR_NO_SUPPORT');
      // plan's read-only connection cannot probe: it uses what apply found out.
      const planned = await plan(dir, { connect: sb.uri, stateDir, detailedExitcode: true });
      expect(planned.code).toBe(1);
      expect(planned.stdout).toContain(`REFUSED: ${READ_ONLY_INTERFACES}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('leaves no guest, virtlogd or dnsmasq behind when the daemon stops', async () => {
    await sb.write('guest', guestDomain(sb, 'boot-2'));
    const run = await apply(sb.manifests, { connect: sb.uri, stateDir: sb.stateDir });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const dir = sb.daemon.dir;
    expect(processesWith(dir).length).toBeGreaterThan(1);
    await sb.daemon.stop();
    expect(processesWith(dir)).toEqual([]);
  }, 120_000);
});
