// Certificates for TLS tests, made by GnuTLS's certtool the way libvirt's TLS guide does:
// a CA, a server certificate for 127.0.0.1, a client certificate, and broken variants (a server
// certificate for another host, an expired client certificate, a CA nobody used).
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface Pki {
  readonly dir: string;
  /** Files libvirtd is configured with (ca_file, cert_file, key_file). */
  readonly server: { ca: string; cert: string; key: string };
  /** Server certificate and key issued for wrong.example only (same CA). */
  readonly wrongHostServer: { cert: string; key: string };
  /** Server certificate and key that expired in 2020 (same CA). */
  readonly expiredServer: { cert: string; key: string };
  /** A pkipath directory (cacert.pem, clientcert.pem, clientkey.pem) with a good client. */
  readonly clientDir: string;
  /** A pkipath directory whose client certificate expired. */
  readonly expiredClientDir: string;
  /** A pkipath directory whose CA did not sign the server certificate. */
  readonly otherCaDir: string;
}

function certtool(args: string[]): void {
  execFileSync('certtool', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

async function template(dir: string, name: string, lines: string[]): Promise<string> {
  const file = path.join(dir, `${name}.info`);
  await writeFile(file, lines.join('\n') + '\n');
  return file;
}

async function privkey(dir: string, name: string): Promise<string> {
  const file = path.join(dir, `${name}key.pem`);
  // RSA: libvirt insists on the key encipherment usage, which certtool leaves out for ECDSA keys.
  certtool(['--generate-privkey', '--key-type', 'rsa', '--bits', '2048', '--outfile', file]);
  return file;
}

async function selfSignedCa(dir: string, name: string): Promise<{ cert: string; key: string }> {
  const key = await privkey(dir, name);
  const info = await template(dir, name, [`cn = virtkeeper test ${name}`, 'ca', 'cert_signing_key', 'expiration_days = 30']);
  const cert = path.join(dir, `${name}cert.pem`);
  certtool(['--generate-self-signed', '--load-privkey', key, '--template', info, '--outfile', cert]);
  return { cert, key };
}

async function issued(
  dir: string,
  name: string,
  ca: { cert: string; key: string },
  lines: string[],
): Promise<{ cert: string; key: string }> {
  const key = await privkey(dir, name);
  const info = await template(dir, name, ['organization = virtkeeper tests', ...lines, 'encryption_key', 'signing_key']);
  const cert = path.join(dir, `${name}cert.pem`);
  certtool([
    '--generate-certificate',
    '--load-privkey',
    key,
    '--load-ca-certificate',
    ca.cert,
    '--load-ca-privkey',
    ca.key,
    '--template',
    info,
    '--outfile',
    cert,
  ]);
  return { cert, key };
}

async function pkipath(dir: string, ca: string, client: { cert: string; key: string }): Promise<string> {
  await mkdir(dir, { recursive: true });
  const { copyFile } = await import('node:fs/promises');
  await copyFile(ca, path.join(dir, 'cacert.pem'));
  await copyFile(client.cert, path.join(dir, 'clientcert.pem'));
  await copyFile(client.key, path.join(dir, 'clientkey.pem'));
  return dir;
}

export async function makePki(dir: string): Promise<Pki> {
  await mkdir(dir, { recursive: true });
  const ca = await selfSignedCa(dir, 'ca');
  const other = await selfSignedCa(dir, 'otherca');
  const server = await issued(dir, 'server', ca, ['cn = 127.0.0.1', 'ip_address = 127.0.0.1', 'tls_www_server', 'expiration_days = 30']);
  const wrongHost = await issued(dir, 'wronghost', ca, [
    'cn = wrong.example',
    'dns_name = wrong.example',
    'tls_www_server',
    'expiration_days = 30',
  ]);
  const expiredServer = await issued(dir, 'expiredserver', ca, [
    'cn = 127.0.0.1',
    'ip_address = 127.0.0.1',
    'tls_www_server',
    'activation_date = "2019-01-01 00:00:00"',
    'expiration_date = "2020-01-01 00:00:00"',
  ]);
  const client = await issued(dir, 'client', ca, ['cn = client1', 'tls_www_client', 'expiration_days = 30']);
  const expiredClient = await issued(dir, 'expiredclient', ca, [
    'cn = client-expired',
    'tls_www_client',
    'activation_date = "2019-01-01 00:00:00"',
    'expiration_date = "2020-01-01 00:00:00"',
  ]);
  return {
    dir,
    server: { ca: ca.cert, cert: server.cert, key: server.key },
    wrongHostServer: wrongHost,
    expiredServer,
    clientDir: await pkipath(path.join(dir, 'client'), ca.cert, client),
    expiredClientDir: await pkipath(path.join(dir, 'expired-client'), ca.cert, expiredClient),
    otherCaDir: await pkipath(path.join(dir, 'other-ca'), other.cert, client),
  };
}
