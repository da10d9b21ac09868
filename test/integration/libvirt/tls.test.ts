// TLS against a real libvirtd listening on 127.0.0.1 with certificates made by certtool, and the
// errors an operator gets for each broken certificate.
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LibvirtClient } from '../../../src/libvirt/client.js';
import { startPrivateLibvirtd, type PrivateLibvirtd } from '../../../src/sandbox/private-libvirtd.js';
import { makePki, type Pki } from '../../support/pki.js';
import { expectPlanApplyConverge, freePort } from '../../support/transport-matrix.js';

interface TlsDaemon {
  daemon: PrivateLibvirtd;
  port: number;
}

async function startTlsDaemon(
  files: { ca: string; cert: string; key: string },
  extra: Record<string, string | number | string[]> = {},
): Promise<TlsDaemon> {
  const port = await freePort();
  const daemon = await startPrivateLibvirtd({
    listen: true,
    extraConfig: {
      listen_tls: 1,
      listen_tcp: 0,
      listen_addr: '127.0.0.1',
      tls_port: String(port),
      auth_tls: 'none',
      ca_file: files.ca,
      cert_file: files.cert,
      key_file: files.key,
      ...extra,
    },
  });
  return { daemon, port };
}

const connectError = (uri: string): Promise<Error> =>
  LibvirtClient.connect(uri).then(
    async (c) => {
      await c.close();
      throw new Error(`connected to ${uri} although it should fail`);
    },
    (err: Error) => err,
  );

let pki: Pki;
let good: TlsDaemon;
let wrongHost: TlsDaemon;

beforeAll(async () => {
  pki = await makePki(await mkdtemp(path.join(os.tmpdir(), 'vk-pki-')));
  good = await startTlsDaemon(pki.server);
  wrongHost = await startTlsDaemon({ ca: pki.server.ca, ...pki.wrongHostServer });
}, 120_000);

afterAll(async () => {
  await good?.daemon.stop();
  await wrongHost?.daemon.stop();
});

describe('TLS to a real libvirtd', () => {
  it('reads the status byte after the handshake and talks RPC', async () => {
    const client = await LibvirtClient.connect(`test+tls://127.0.0.1:${good.port}/default?pkipath=${pki.clientDir}`);
    try {
      expect(await client.getUri()).toBe('test:///default');
      expect((await client.listDomains()).map((d) => d.name)).toContain('test');
    } finally {
      await client.close();
    }
  });

  it('plans, applies and converges examples/sandbox over TLS', async () => {
    await expectPlanApplyConverge(`test+tls://127.0.0.1:${good.port}/default?pkipath=${pki.clientDir}`, good.daemon.testUri);
  }, 180_000);

  it('names the host a server certificate was not issued for; no_verify=1 connects anyway', async () => {
    const uri = `test+tls://127.0.0.1:${wrongHost.port}/default?pkipath=${pki.clientDir}`;
    const err = await connectError(uri);
    expect(err.name).toBe('TransportError');
    expect(err.message).toMatch(
      /server certificate of tls:\/\/127\.0\.0\.1:\d+ is not valid for '127\.0\.0\.1': it names DNS:wrong\.example;/,
    );
    const client = await LibvirtClient.connect(`${uri}&no_verify=1`);
    await client.close();
  });

  it('names the CA file when the server certificate comes from another CA', async () => {
    const err = await connectError(`test+tls://127.0.0.1:${good.port}/default?pkipath=${pki.otherCaDir}`);
    expect(err.message).toContain(`was not issued by the CA in ${pki.otherCaDir}/cacert.pem`);
  });

  it('refuses an expired client certificate before connecting, naming the file and date', async () => {
    const err = await connectError(`test+tls://127.0.0.1:${good.port}/default?pkipath=${pki.expiredClientDir}`);
    expect(err.message).toBe(
      `client certificate ${pki.expiredClientDir}/clientcert.pem expired on 2020-01-01T00:00:00.000Z; renew it (certtool --generate-certificate)`,
    );
  });

  it('reports a daemon that turns our certificate down by tls_allowed_dn_list', async () => {
    const picky = await startTlsDaemon(pki.server, { tls_allowed_dn_list: ['CN=somebody-else'] });
    try {
      const err = await connectError(`test+tls://127.0.0.1:${picky.port}/default?pkipath=${pki.clientDir}`);
      expect(err.name).toBe('TransportError');
      expect(err.message).toMatch(/refused our client certificate .*client\/clientcert\.pem/);
    } finally {
      await picky.daemon.stop();
    }
  });
});

describe('TLS certificate the daemon itself would refuse to load', () => {
  // libvirtd will not start with an expired cert_file, so a plain TLS server stands in to
  // present one: only our client's verdict on it is under test.
  it('says the server certificate expired', async () => {
    const server = tls.createServer({ cert: await readFile(pki.expiredServer.cert), key: await readFile(pki.expiredServer.key) });
    server.on('tlsClientError', () => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const err = await connectError(`test+tls://127.0.0.1:${port}/default?pkipath=${pki.clientDir}`);
      expect(err.message).toMatch(/server certificate of tls:\/\/127\.0\.0\.1:\d+ has expired/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
