// The checks behind `virtkeeper doctor` (like `flux check --pre`): is this machine, and the libvirt
// host behind a URI, ready for virtkeeper? Each check says what it found and, when something is
// wrong, the fix in one line. The checks only read: a read-only connection, no defines.
import { constants as fsConstants } from 'node:fs';
import { access, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { LibvirtClient } from '../libvirt/client.js';
import { AUTH_LIST, REMOTE_AUTH_NONE, REMOTE_AUTH_POLKIT, REMOTE_AUTH_SASL } from '../libvirt/connect.js';
import { LibvirtError } from '../libvirt/errors.js';
import { parseLibvirtUri, UriError, type LibvirtUri } from '../libvirt/uri.js';
import { parseCapabilities } from '../cli/commands/host-info.js';
import { defaultStateDir } from '../state/paths.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  /** Short name of what was checked ("node", "socket", "virtlogd"). */
  name: string;
  status: CheckStatus;
  /** What was found. */
  detail: string;
  /** For warn and fail: what to do, one line. */
  fix?: string;
}

export interface DoctorOptions {
  /** libvirt URI to check; without one only the local machine is checked. */
  uri?: string;
  /** Base directory of the state store (default $XDG_STATE_HOME/virtkeeper). */
  stateDir?: string;
  env?: NodeJS.ProcessEnv;
}

const MIN_NODE_MAJOR = 20;
const AUTH_NAMES: Record<number, string> = { [REMOTE_AUTH_NONE]: 'none', [REMOTE_AUTH_SASL]: 'sasl', [REMOTE_AUTH_POLKIT]: 'polkit' };

export function checkNode(version: string = process.versions.node): CheckResult {
  const major = Number(version.split('.')[0]);
  if (major >= MIN_NODE_MAJOR) return { name: 'node', status: 'ok', detail: `Node.js ${version}` };
  return { name: 'node', status: 'fail', detail: `Node.js ${version} is too old`, fix: `install Node.js ${MIN_NODE_MAJOR} or newer` };
}

/** better-sqlite3 is a native addon: a missing build or an ABI mismatch shows only when it loads. */
export function checkStateStoreDriver(): CheckResult {
  try {
    const require = createRequire(import.meta.url);
    const Database = require('better-sqlite3') as new (
      file: string,
    ) => {
      prepare(sql: string): { get(): unknown };
      close(): void;
    };
    const db = new Database(':memory:');
    const row = db.prepare('select sqlite_version() as v').get() as { v: string };
    db.close();
    return { name: 'sqlite', status: 'ok', detail: `better-sqlite3 loads (SQLite ${row.v})` };
  } catch (err) {
    return {
      name: 'sqlite',
      status: 'fail',
      detail: `better-sqlite3 does not load: ${firstLine(err)}`,
      fix: "run `npm ci` in virtkeeper's directory (it builds better-sqlite3; needs python3, make and g++)",
    };
  }
}

export async function checkStateDir(dir: string): Promise<CheckResult> {
  const probe = path.join(dir, `.doctor-${process.pid}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, '');
    await rm(probe, { force: true });
    return { name: 'state dir', status: 'ok', detail: `${dir} is writable` };
  } catch (err) {
    return {
      name: 'state dir',
      status: 'fail',
      detail: `${dir} is not writable: ${firstLine(err)}`,
      fix: 'give this user write access to it, or pass --state-dir DIR (or set XDG_STATE_HOME)',
    };
  }
}

/** A program on PATH (or in the sbin directories, which are not on every user's PATH). */
export async function findProgram(name: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const dirs = [...(env.PATH ?? '').split(':'), '/usr/local/sbin', '/usr/sbin', '/sbin'].filter(Boolean);
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      await access(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export async function checkClientTools(target: LibvirtUri | undefined, env: NodeJS.ProcessEnv): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const virsh = await findProgram('virsh', env);
  results.push(
    virsh
      ? { name: 'virsh', status: 'ok', detail: virsh }
      : {
          name: 'virsh',
          status: 'warn',
          detail: 'virsh not found (virtkeeper does not need it; it is handy for looking at the host)',
          fix: 'apt-get install libvirt-clients',
        },
  );
  if (target?.transport === 'ssh') {
    const ssh = await findProgram(target.query.command ?? 'ssh', env);
    results.push(
      ssh
        ? { name: 'ssh', status: 'ok', detail: ssh }
        : { name: 'ssh', status: 'fail', detail: `${target.uri} needs ssh, which is not installed`, fix: 'apt-get install openssh-client' },
    );
  }
  return results;
}

/** Before connecting: does the local socket exist, is it a socket, may we write to it? */
export async function checkLocalSocket(target: LibvirtUri): Promise<CheckResult> {
  const socket = target.socket;
  if (target.transport !== 'unix' || !socket)
    return { name: 'socket', status: 'skip', detail: `${target.transport} transport: no local socket` };
  try {
    const st = await stat(socket);
    if (!st.isSocket())
      return {
        name: 'socket',
        status: 'fail',
        detail: `${socket} exists but is not a socket`,
        fix: "point ?socket= at the daemon's socket",
      };
  } catch {
    return {
      name: 'socket',
      status: 'fail',
      detail: `${socket} does not exist: no libvirt daemon listens there`,
      fix: socketFix(target),
    };
  }
  try {
    await access(socket, fsConstants.W_OK);
  } catch {
    return {
      name: 'socket',
      status: 'fail',
      detail: `${socket}: permission denied for uid ${process.getuid?.() ?? '?'}`,
      fix: "run as root, or add this user to the socket's group (usually libvirt) and log in again",
    };
  }
  return { name: 'socket', status: 'ok', detail: `${socket} reachable` };
}

function socketFix(target: LibvirtUri): string {
  if (target.socketExplicit) return 'start that daemon (a sandbox prints its URI: virtkeeper sandbox), or fix ?socket=';
  if (target.path === '/session') return 'start a session daemon (libvirtd --daemon as this user), or use qemu:///system';
  return 'install and start libvirt (apt-get install libvirt-daemon-system; systemctl start libvirtd), or check the URI for typos (qemu:///system)';
}

/** Connects read-only and asks the daemon about itself: auth schemes, driver, hypervisor. */
export async function checkHost(target: LibvirtUri): Promise<CheckResult[]> {
  let client: LibvirtClient;
  try {
    client = await LibvirtClient.connect(target.uri, { readOnly: true });
  } catch (err) {
    return [{ name: 'connect', status: 'fail', detail: `${target.uri}: ${describe(err)}`, fix: connectFix(err) }];
  }
  try {
    const results: CheckResult[] = [];
    const auth = await client.rpc.call(AUTH_LIST, undefined).then(
      (r) => r.types.map((t) => AUTH_NAMES[t] ?? `type ${t}`).join(', ') || 'none',
      () => 'not reported',
    );
    results.push({ name: 'connect', status: 'ok', detail: `${target.uri} (read-only), auth offered: ${auth}` });
    const [type, hv, lib, capsXml] = await Promise.all([
      client.getHypervisorType(),
      client.getHypervisorVersion(),
      client.getLibVersion(),
      client.getCapabilities(),
    ]);
    results.push({ name: 'driver', status: 'ok', detail: `${type} ${hv.text}, libvirt ${lib.text}` });
    if (type.toUpperCase() === 'QEMU') {
      const caps = parseCapabilities(capsXml);
      const kvm = caps.guests.some((g) => g.domainTypes.includes('kvm'));
      results.push(
        kvm
          ? { name: 'hypervisor', status: 'ok', detail: 'KVM available' }
          : {
              name: 'hypervisor',
              status: 'warn',
              detail: 'TCG only (no KVM): guests run under software emulation, many times slower; domains with type: kvm will not start',
              fix: 'enable virtualization in the firmware and load kvm_intel or kvm_amd (/dev/kvm), or write type: qemu',
            },
      );
      results.push(await checkVirtlogd(target));
    }
    return results;
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** QEMU guests do not start without virtlogd; its socket is only visible for local daemons. */
export async function checkVirtlogd(target: LibvirtUri): Promise<CheckResult> {
  if (target.transport !== 'unix' || !target.socket) {
    return { name: 'virtlogd', status: 'skip', detail: 'remote host: not visible from here (guests fail to start without it)' };
  }
  const candidates = [path.join(path.dirname(target.socket), 'virtlogd-sock')];
  if (!target.socketExplicit && target.path === '/system') candidates.push('/run/libvirt/virtlogd-sock');
  for (const candidate of candidates) {
    try {
      if ((await stat(candidate)).isSocket()) return { name: 'virtlogd', status: 'ok', detail: `${candidate} present` };
    } catch {
      // try the next
    }
  }
  return {
    name: 'virtlogd',
    status: 'fail',
    detail: `no virtlogd socket (${candidates.join(', ')}): QEMU guests will fail to start`,
    fix: 'start virtlogd next to the daemon (systemctl start virtlogd.socket, or virtlogd -d)',
  };
}

function connectFix(err: unknown): string {
  const text = describe(err);
  if (/permission denied|EACCES/i.test(text)) return "run as root, or add this user to the socket's group (usually libvirt)";
  if (/ENOENT|no such file/i.test(text)) return 'start the libvirt daemon, or check the URI for typos (qemu:///system)';
  if (/authentication|auth/i.test(text))
    return "configure the daemon's auth_unix_rw / auth_tcp, or use another transport (see docs/libvirt-client.md)";
  if (/ECONNREFUSED/.test(text)) return 'nothing listens on that port: start libvirtd with --listen (or the virtproxyd sockets)';
  return 'check the URI and that the daemon is running (virsh -c URI uri)';
}

function describe(err: unknown): string {
  if (err instanceof LibvirtError) return `libvirt error ${err.code} (${err.codeName}): ${err.libvirtMessage}`;
  return firstLine(err);
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

/** Every check in order; the host checks only when a URI is given (and parses). */
export async function runChecks(options: DoctorOptions): Promise<CheckResult[]> {
  const env = options.env ?? process.env;
  const results: CheckResult[] = [checkNode(), checkStateStoreDriver()];
  results.push(await checkStateDir(options.stateDir ?? defaultStateDir(env)));
  let target: LibvirtUri | undefined;
  if (options.uri !== undefined) {
    try {
      target = parseLibvirtUri(options.uri, env);
    } catch (err) {
      const message = err instanceof UriError ? err.message : firstLine(err);
      // A mistyped driver path already names the URI meant (parseLibvirtUri's "did you mean").
      const meant = /\(did you mean (\S+)\?\)$/.exec(message)?.[1];
      results.push({
        name: 'uri',
        status: 'fail',
        detail: message,
        fix: meant
          ? `did you mean ${meant}?`
          : 'write it as libvirt documents: qemu:///system, qemu+ssh://user@host/system, test+unix:///default?socket=PATH',
      });
    }
  }
  results.push(...(await checkClientTools(target, env)));
  if (!target) {
    if (options.uri === undefined)
      results.push({ name: 'connect', status: 'skip', detail: 'no URI given (--connect, VIRTKEEPER_CONNECT or LIBVIRT_DEFAULT_URI)' });
    return results;
  }
  const socket = await checkLocalSocket(target);
  results.push(socket);
  if (socket.status === 'fail') return results;
  results.push(...(await checkHost(target)));
  return results;
}
