// The private daemon's namespaces: what `unshare` makes and what the shell inside does before it
// becomes libvirtd. Pure string building plus two small probes, so private-libvirtd.ts only
// decides *whether* to isolate and the details of *how* live here.
//
// Why each namespace:
// - mount: a root libvirtd locks /run/libvirt/<driver>/driver.pid and persists what drivers define
//   under /etc/libvirt and /var/lib/libvirt; empty tmpfs over those (PRIVATE_STATE_DIRS) give
//   every private daemon its own and leave the host's untouched.
// - net: a mount namespace alone let a NAT network applied through the private qemu:///system
//   create a real virbr0, a dnsmasq and 11 iptables rules on the machine (measured). In its own
//   network namespace (only `lo`, brought up here) bridges, taps, dnsmasq and firewall rules stay
//   inside. Clients still reach the daemon: unix sockets work across network namespaces.
// - pid: libvirtd does not stop guests (QEMU), virtlogd or dnsmasq when it exits. A shell is PID 1
//   of a new pid namespace and runs libvirtd; when libvirtd exits the shell does, and the kernel
//   kills and reaps everything else started inside, so a stopped daemon leaves no process behind.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Directories a privileged libvirtd writes state to, each covered by an empty tmpfs inside the
 * daemon's mount namespace. /run/libvirt holds pid files and sockets (virtlogd's too); the others
 * hold what drivers persist (pool, network and domain XML under /etc/libvirt, volumes' default
 * pool, dnsmasq leases, capability caches). libvirtd reads nothing it needs from /etc/libvirt:
 * its config is --config, and the drivers' optional files fall back to built-in defaults, except
 * qemu.conf, which we write (qemuDriverConfig).
 */
export const PRIVATE_STATE_DIRS = ['/run/libvirt', '/etc/libvirt', '/var/lib/libvirt', '/var/cache/libvirt'] as const;

/** Guests' logs (/var/log/libvirt/qemu/NAME.log, written by virtlogd) land here, inside the sandbox dir. */
export const LOG_DIR_IN_NAMESPACE = '/var/log/libvirt';

const QEMU_CAPS_DIR = '/var/cache/libvirt/qemu/capabilities';

/** Where the QEMU capability cache is shared by default: $XDG_CACHE_HOME/virtkeeper/qemu-capabilities. */
export function defaultQemuCapabilitiesCache(): string {
  const base = process.env.VIRTKEEPER_CACHE_DIR || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'virtkeeper');
  return path.join(base, 'qemu-capabilities');
}

export function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * The QEMU driver's config. QEMU runs as root without a security driver: the sandbox dir is a
 * 0700 temp dir and the test guest's kernel lives in a shared cache, neither of which the
 * libvirt-qemu account may read, and DAC relabelling would chown shared files back and forth
 * between guests. Console output goes through virtlogd (libvirt's default, stated here because
 * QEMU guests cannot start without it).
 */
export function qemuDriverConfig(): string {
  return [
    'user = "root"',
    'group = "root"',
    'security_driver = "none"',
    'dynamic_ownership = 0',
    'remember_owner = 0',
    'stdio_handler = "logd"',
    '',
  ].join('\n');
}

export function virtlogdConfig(logFile: string): string {
  return [`log_outputs = "3:file:${logFile}"`, ''].join('\n');
}

export interface NamespaceScriptInput {
  /** The sandbox dir: qemu.conf and virtlogd.conf are written from here into the namespace. */
  dir: string;
  /** Where /var/log/libvirt is bind-mounted from (in the sandbox dir). */
  logDir: string;
  /**
   * A directory shared by private daemons for the QEMU driver's capability cache. Probing QEMU
   * under TCG takes tens of seconds to minutes on a loaded machine, and libvirt revalidates the
   * cache itself (QEMU binary, libvirt version, kernel), so one probe serves every later daemon.
   */
  qemuCapabilitiesCache?: string;
  /** The virtlogd binary, when QEMU guests should be able to start. */
  virtlogd?: string;
  /** The daemon command (libvirtd and its arguments), run as a child of the namespace's PID 1 shell. */
  command: string[];
  /**
   * Its own network namespace (default). False only for a daemon that must listen on the host's
   * 127.0.0.1 (TLS/TCP tests): then it shares the host's network, and must serve only drivers
   * that create no devices (the test driver).
   */
  ownNetwork?: boolean;
}

/** The shell script run inside the new namespaces. Every step must succeed (&&) or the daemon does not start. */
export function namespaceScript(input: NamespaceScriptInput): string {
  const q = shellQuote;
  const steps = [
    `mkdir -p ${PRIVATE_STATE_DIRS.join(' ')} ${LOG_DIR_IN_NAMESPACE}`,
    ...PRIVATE_STATE_DIRS.map((d) => `mount -t tmpfs -o mode=0755 tmpfs ${d}`),
    `mount --bind ${q(input.logDir)} ${LOG_DIR_IN_NAMESPACE}`,
    ...(input.qemuCapabilitiesCache
      ? [`mkdir -p ${QEMU_CAPS_DIR}`, `mount --bind ${q(input.qemuCapabilitiesCache)} ${QEMU_CAPS_DIR}`]
      : []),
    ...(input.ownNetwork === false ? [] : ['ip link set lo up']),
    `cp ${q(path.join(input.dir, 'qemu.conf'))} /etc/libvirt/qemu.conf`,
  ];
  if (input.virtlogd) {
    steps.push(
      // Its default pid file is /run/virtlogd.pid, outside the tmpfs: other daemons' and the host's.
      `${q(input.virtlogd)} -d -f ${q(path.join(input.dir, 'virtlogd.conf'))} -p /run/libvirt/virtlogd.pid`,
      // libvirtd asks virtlogd only when a guest starts, but a guest started right after the
      // daemon's socket opens must not race virtlogd's socket: wait for it (≤ 5 s).
      '{ i=0; while [ ! -S /run/libvirt/virtlogd-sock ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done; }',
      '[ -S /run/libvirt/virtlogd-sock ]',
    );
  }
  // The shell stays PID 1 and reaps: QEMU daemonizes and so becomes a child of PID 1, and
  // libvirtd does not reap children it did not fork itself; as PID 1 it left a killed QEMU a
  // zombie, which libvirtd then took for alive, so every destroy waited ~80 s (measured). The
  // shell's `wait` reaps any child. SIGTERM to the shell is passed on to the daemon; when the
  // daemon exits, so does the shell, and the kernel kills whatever is left in the namespace.
  const daemon = `${input.command.map(q).join(' ')} & p=$!; trap 'kill -TERM $p' TERM INT; while kill -0 $p 2>/dev/null; do wait $p; done`;
  return `${steps.join(' && ')} && ${daemon}`;
}

/** unshare's arguments around the script: new mount, network (unless ownNetwork is false) and pid namespaces, the script as their PID 1. */
export function unshareArgs(script: string, ownNetwork = true): string[] {
  // --fork: a new pid namespace applies to children only. --kill-child: if unshare itself is
  // killed, its child (libvirtd, PID 1 inside) goes too, and with it the whole namespace.
  return [
    '--mount',
    '--propagation',
    'private',
    ...(ownNetwork ? ['--net'] : []),
    '--pid',
    '--fork',
    '--mount-proc',
    '--kill-child=SIGKILL',
    'sh',
    '-c',
    script,
  ];
}

/** Root and an unshare that can make all three namespaces here. */
export function canUseNamespaces(): boolean {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return false;
  const probe = spawnSync('unshare', ['--mount', '--propagation', 'private', '--net', '--pid', '--fork', '--mount-proc', 'true'], {
    stdio: 'ignore',
  });
  return probe.status === 0;
}

/**
 * The host pid of a process's first child. unshare ignores SIGTERM while it waits for its child,
 * so signals go to the daemon itself: unshare → sh (PID 1 inside) → libvirtd.
 */
export function childPidOf(pid: number): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    const first = Number(text.split(/\s+/)[0]);
    return Number.isInteger(first) && first > 0 ? first : undefined;
  } catch {
    return undefined;
  }
}
