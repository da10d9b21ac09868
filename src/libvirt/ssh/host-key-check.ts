// Checks the server's host key against known_hosts as libvirt's known_hosts_verify= asks, and
// words each refusal as one line an operator can act on.
import { addKnownHost, fingerprint, knownHostsLine, knownHostsName, readKnownHosts, verifyHostKey, wireKeyType } from './known-hosts.js';
import type { LibsshParams } from './libssh-params.js';

/** Accepts the key, or says in one line why not. */
export type HostKeyOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export async function checkHostKey(params: LibsshParams, key: Buffer): Promise<HostKeyOutcome> {
  if (params.verify === 'ignore') return { ok: true };
  const name = knownHostsName(params.host, params.port);
  const file = params.knownHosts;
  const offered = `${wireKeyType(key)} ${fingerprint(key)}`;
  const verdict = verifyHostKey(await readKnownHosts(file), name, key);
  switch (verdict.status) {
    case 'known':
      return { ok: true };
    case 'revoked':
      return { ok: false, reason: `the host key of ${name} (${offered}) is marked @revoked in ${file} line ${verdict.line}: refusing it` };
    case 'mismatch':
      // Never overwritten, not even with known_hosts_verify=auto: this is what the check is for.
      return {
        ok: false,
        reason:
          `HOST KEY MISMATCH for ${name}: it offers ${offered}, ${file} line ${verdict.lines.join(', ')} has another key; ` +
          `someone may be intercepting the connection, or the host was reinstalled: if so, remove the old key (ssh-keygen -R '${name}' -f ${file}) and connect again`,
      };
    case 'unknown':
      if (params.verify === 'auto') {
        await addKnownHost(file, name, key);
        return { ok: true };
      }
      return {
        ok: false,
        reason:
          `host key of ${name} is unknown (${offered}, not in ${file}); if that fingerprint is the host's ` +
          `(on the host: ssh-keygen -lf /etc/ssh/ssh_host_${wireKeyType(key)
            .replace(/^ssh-/, '')
            .replace(/^ecdsa-.*/, 'ecdsa')}_key.pub), add it: ` +
          `echo '${knownHostsLine(name, key)}' >> ${file} (or connect once with known_hosts_verify=auto)`,
      };
  }
}
