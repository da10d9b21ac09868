// Shared bits of the libvirt integration tests: object XML the test driver accepts, a
// keeper connection that holds the test driver's state for a whole file, error assertions.
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect } from 'vitest';
import { LibvirtClient } from '../../../src/libvirt/client.js';
import { LibvirtError } from '../../../src/libvirt/errors.js';
import type { LibvirtdFixture } from '../../support/libvirtd.js';

const run = promisify(execFile);

export const domainXml = (name: string): string =>
  `<domain type='test'><name>${name}</name><memory unit='MiB'>64</memory><os><type>hvm</type></os></domain>`;

/** Every network gets its own bridge and subnet so several can be active at once. */
export const networkXml = (name: string, octet: number): string =>
  `<network><name>${name}</name><bridge name='vk${octet}'/><forward mode='nat'/>` +
  `<ip address='10.${octet}.0.1' netmask='255.255.255.0'><dhcp><range start='10.${octet}.0.2' end='10.${octet}.0.254'/></dhcp></ip></network>`;

export const poolXml = (name: string): string => `<pool type='dir'><name>${name}</name><target><path>/${name}</path></target></pool>`;

export const volumeXml = (name: string, mib: number): string =>
  `<volume><name>${name}</name><capacity unit='MiB'>${mib}</capacity></volume>`;

/**
 * Opens a read-write client before the file's tests and closes it after: the test driver
 * forgets everything when its last connection closes, so this keeps state across tests.
 */
export function useKeeperClient(fixture: LibvirtdFixture): { readonly client: LibvirtClient } {
  let client: LibvirtClient | undefined;
  beforeAll(async () => {
    client = await LibvirtClient.connect(fixture.daemon.testUri);
  });
  afterAll(async () => {
    await client?.close();
  });
  return {
    get client(): LibvirtClient {
      if (!client) throw new Error('keeper client not connected yet');
      return client;
    },
  };
}

/** Awaits a rejection and checks it is the LibvirtError with this code. */
export async function expectLibvirtError(p: Promise<unknown>, code: number): Promise<LibvirtError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LibvirtError);
  expect((err as LibvirtError).code).toBe(code);
  return err as LibvirtError;
}

/** Runs virsh against the URI as a separate client (its own connection). */
export async function virsh(uri: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('virsh', ['-q', '-c', uri, ...args], { timeout: 20_000 });
  return stdout;
}

/** Writes XML to a temp file for virsh's *-define commands. */
export async function xmlFile(name: string, xml: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vk-xml-'));
  const file = path.join(dir, `${name}.xml`);
  await writeFile(file, xml);
  return file;
}

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
