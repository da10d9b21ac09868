// Starts a libvirtd of our own on a unix socket in a directory we own, so tests and the
// `sandbox` command never depend on (or disturb) a system daemon.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  canUseNamespaces,
  childPidOf,
  defaultQemuCapabilitiesCache,
  namespaceScript,
  qemuDriverConfig,
  unshareArgs,
  virtlogdConfig,
} from './namespace.js';

export interface PrivateLibvirtdOptions {
  /** Directory for socket, config, pid and log; a fresh temp dir when omitted. */
  dir?: string;
  /** Remove the directory on stop (default: only when we created it). */
  removeDirOnStop?: boolean;
  /** How long to wait for the socket to accept connections. */
  startTimeoutMs?: number;
  /** libvirtd log level for log_outputs (1 debug … 4 error). */
  logLevel?: 1 | 2 | 3 | 4;
  /**
   * libvirtd.conf settings added to (or replacing) ours, e.g. `{ listen_tls: 1, tls_port: '16614',
   * auth_tcp: 'sasl' }`; strings are quoted, numbers written bare, arrays as string lists.
   */
  extraConfig?: Readonly<Record<string, string | number | readonly string[]>>;
  /** Start with --listen, so listen_tcp / listen_tls take effect. */
  listen?: boolean;
  /** Extra environment of the daemon, e.g. SASL_CONF_PATH for its SASL configuration. */
  env?: Readonly<Record<string, string>>;
  /** Calls one client may have outstanding at once (libvirtd's default is 5). */
  maxClientRequests?: number;
  /**
   * Directory for the QEMU driver's capability cache, shared between private daemons (default
   * $XDG_CACHE_HOME/virtkeeper/qemu-capabilities); false: each daemon probes QEMU afresh.
   */
  qemuCapabilitiesCache?: string | false;
}

export interface PrivateLibvirtd {
  readonly dir: string;
  readonly socketPath: string;
  readonly readOnlySocketPath: string;
  readonly logFile: string;
  /** Guests' console and QEMU logs (NAME.log, written by virtlogd); inside `dir`. */
  readonly guestLogDir: string;
  /** Host pid of libvirtd (PID 1 of its pid namespace when isolated). */
  readonly pid: number;
  /**
   * How the daemon was isolated from other libvirtd instances and from the host:
   * - namespaces: its own mount, network and pid namespaces with virtlogd inside (root);
   * - session: an unprivileged session daemon with XDG dirs in `dir`;
   * - none: root without a usable unshare (real drivers would touch the host: avoid them).
   */
  readonly isolation: 'namespaces' | 'session' | 'none';
  /** URI of libvirt's test driver through this daemon, as libvirt writes it. */
  readonly testUri: string;
  /** URI of the real QEMU driver (and network, storage, ... drivers) through this daemon. */
  readonly qemuUri: string;
  /** URI for another driver path served by this daemon (e.g. "/system" for qemu). */
  uri(driver: string, driverPath: string): string;
  /** True until the daemon process has exited. */
  isRunning(): boolean;
  stop(): Promise<void>;
}

export class PrivateLibvirtdError extends Error {
  override name = 'PrivateLibvirtdError';
}

const LIBVIRTD_CANDIDATES = ['/usr/sbin/libvirtd', '/usr/local/sbin/libvirtd'];

function findLibvirtd(): string {
  for (const candidate of LIBVIRTD_CANDIDATES) if (existsSync(candidate)) return candidate;
  const which = spawnSync('sh', ['-c', 'command -v libvirtd'], { encoding: 'utf8' });
  const found = which.stdout.trim();
  if (which.status === 0 && found) return found;
  throw new PrivateLibvirtdError('libvirtd not found: install Debian packages libvirt-daemon and libvirt-clients (see README, "Set up")');
}

/** virtlogd next to libvirtd (same package); QEMU guests cannot start without it. */
function findVirtlogd(): string | undefined {
  for (const candidate of ['/usr/sbin/virtlogd', '/usr/local/sbin/virtlogd']) if (existsSync(candidate)) return candidate;
  return undefined;
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function missingQemuAccount(): boolean {
  // A privileged libvirtd refuses to start its QEMU driver (and with it, the daemon) without
  // the libvirt-qemu user and group that libvirt-daemon-system would normally create.
  const user = spawnSync('getent', ['passwd', 'libvirt-qemu'], { stdio: 'ignore' });
  const group = spawnSync('getent', ['group', 'libvirt-qemu'], { stdio: 'ignore' });
  return user.status !== 0 || group.status !== 0;
}

interface DaemonConfig {
  dir: string;
  logFile: string;
  logLevel: number;
  maxClientRequests: number;
  extra: Readonly<Record<string, string | number | readonly string[]>>;
}

function configText({ dir, logFile, logLevel, maxClientRequests, extra }: DaemonConfig): string {
  // Every value is ours: no TCP/TLS listeners, no auth on our private socket (unless extra says otherwise).
  const lines = [
    `unix_sock_dir = "${dir}"`,
    'unix_sock_group = "root"',
    'unix_sock_ro_perms = "0777"',
    'unix_sock_rw_perms = "0700"',
    'auth_unix_ro = "none"',
    'auth_unix_rw = "none"',
    'listen_tcp = 0',
    'listen_tls = 0',
    'max_clients = 200',
    'max_workers = 20',
    `max_client_requests = ${maxClientRequests}`,
    'keepalive_interval = 5',
    'keepalive_count = 5',
    `log_outputs = "${logLevel}:file:${logFile}"`,
  ].filter((line) => !(line.split(' = ')[0]! in extra));
  for (const [key, value] of Object.entries(extra))
    lines.push(
      `${key} = ${typeof value === 'number' ? value : typeof value === 'string' ? JSON.stringify(value) : `[${value.map((v) => JSON.stringify(v)).join(', ')}]`}`,
    );
  return lines.join('\n') + '\n';
}

type Endpoint = string | { host: string; port: number };

function probeSocket(endpoint: Endpoint): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = typeof endpoint === 'string' ? net.connect(endpoint) : net.connect(endpoint.port, endpoint.host);
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The TCP and TLS ports a listening daemon was configured with. libvirtd opens them after its
 * unix socket (the TLS one only once the certificates are loaded), so start-up waits for them
 * too: a client arriving in between would be refused.
 */
function listeningPorts(options: PrivateLibvirtdOptions): Array<{ host: string; port: number }> {
  const extra = options.extraConfig ?? {};
  if (!options.listen) return [];
  const host = typeof extra.listen_addr === 'string' ? extra.listen_addr : '127.0.0.1';
  const ports: Array<{ host: string; port: number }> = [];
  for (const [flag, port, fallback] of [
    ['listen_tcp', 'tcp_port', 16509],
    ['listen_tls', 'tls_port', 16514],
  ] as const) {
    if (Number(extra[flag] ?? 0) !== 1) continue;
    const value = extra[port];
    ports.push({ host, port: value === undefined ? fallback : Number(value) });
  }
  return ports;
}

async function tail(file: string, lines = 15): Promise<string> {
  try {
    const text = await readFile(file, 'utf8');
    return text
      .split('\n')
      .filter((l) => l.trim() && !/dmidecode|udevGetDMIData|system bus|DBus not available|dnsmasq/.test(l))
      .slice(-lines)
      .join('\n');
  } catch {
    return '';
  }
}

export async function startPrivateLibvirtd(options: PrivateLibvirtdOptions = {}): Promise<PrivateLibvirtd> {
  const libvirtd = findLibvirtd();
  const createdDir = !options.dir;
  const dir = options.dir ?? (await mkdtemp(path.join(os.tmpdir(), 'virtkeeper-libvirtd-')));
  await mkdir(dir, { recursive: true });
  const socketPath = path.join(dir, 'libvirt-sock');
  const readOnlySocketPath = path.join(dir, 'libvirt-sock-ro');
  const logFile = path.join(dir, 'libvirtd.log');
  const configFile = path.join(dir, 'libvirtd.conf');
  const pidFile = path.join(dir, 'libvirtd.pid');
  const guestLogDir = path.join(dir, 'log');
  await mkdir(path.join(guestLogDir, 'qemu'), { recursive: true });
  await writeFile(
    configFile,
    configText({
      dir,
      logFile,
      logLevel: options.logLevel ?? 3,
      maxClientRequests: options.maxClientRequests ?? 5,
      extra: options.extraConfig ?? {},
    }),
  );

  if (isRoot() && missingQemuAccount()) {
    throw new PrivateLibvirtdError(
      "libvirtd running as root needs the 'libvirt-qemu' user and group; create them with: " +
        'groupadd -r libvirt-qemu && useradd -r -g libvirt-qemu -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu ' +
        '(scripts/setup-host.sh does this)',
    );
  }

  const daemonArgs = ['--config', configFile, '--pid-file', pidFile, ...(options.listen ? ['--listen'] : [])];
  let child: ChildProcess;
  let isolation: PrivateLibvirtd['isolation'];
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  if (canUseNamespaces()) {
    isolation = 'namespaces';
    // A daemon that listens on TCP must be reachable on the host's 127.0.0.1.
    const ownNetwork = !options.listen;
    await writeFile(path.join(dir, 'qemu.conf'), qemuDriverConfig());
    await writeFile(path.join(dir, 'virtlogd.conf'), virtlogdConfig(path.join(dir, 'virtlogd.log')));
    const capsCache =
      options.qemuCapabilitiesCache === false ? undefined : (options.qemuCapabilitiesCache ?? defaultQemuCapabilitiesCache());
    if (capsCache) await mkdir(capsCache, { recursive: true });
    const script = namespaceScript({
      dir,
      logDir: guestLogDir,
      qemuCapabilitiesCache: capsCache,
      virtlogd: findVirtlogd(),
      command: [libvirtd, ...daemonArgs],
      ownNetwork,
    });
    // spawns: unshare, sh, mkdir, mount, ip, cp, virtlogd, libvirtd
    child = spawn('unshare', unshareArgs(script, ownNetwork), { stdio: ['ignore', 'ignore', 'pipe'], env });
  } else {
    // Unprivileged: libvirtd runs as a session daemon whose state lives under XDG dirs we point into `dir`.
    isolation = isRoot() ? 'none' : 'session';
    for (const sub of ['run', 'config', 'cache']) await mkdir(path.join(dir, sub), { recursive: true });
    env.XDG_RUNTIME_DIR = path.join(dir, 'run');
    env.XDG_CONFIG_HOME = path.join(dir, 'config');
    env.XDG_CACHE_HOME = path.join(dir, 'cache');
    // spawns: libvirtd
    child = spawn(libvirtd, daemonArgs, { stdio: ['ignore', 'ignore', 'pipe'], env });
  }

  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  let exited = false;
  let started = false;
  let stopping = false;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      resolve();
      // A daemon dying under a test shows up there only as ECONNRESET / ECONNREFUSED: say here,
      // once, how it ended and what it logged last, so a CI log holds the cause.
      if (started && !stopping) void reportUnexpectedExit(code, signal);
    });
  });
  const reportUnexpectedExit = async (code: number | null, signal: NodeJS.Signals | null): Promise<void> => {
    const how = signal ? `signal ${signal}` : `code ${code}`;
    const log = (await tail(logFile, 30)) || '(empty log)';
    process.stderr.write(
      `private libvirtd in ${dir} exited unexpectedly (${how}); stderr: ${stderr.trim() || '(none)'}\nlast lines of ${logFile}:\n${log}\n`,
    );
  };
  // If the test runner or CLI dies, do not leave a daemon behind.
  const killOnExit = () => {
    if (!exited) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
  const endpoints: Endpoint[] = [socketPath, ...listeningPorts(options)];
  const allOpen = async (): Promise<boolean> => (await Promise.all(endpoints.map(probeSocket))).every(Boolean);
  while (!(await allOpen())) {
    if (exited) {
      process.removeListener('exit', killOnExit);
      throw new PrivateLibvirtdError(`libvirtd exited during start-up (code ${child.exitCode}): ${stderr.trim() || (await tail(logFile))}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      process.removeListener('exit', killOnExit);
      throw new PrivateLibvirtdError(
        `libvirtd did not open ${endpoints.map((e) => (typeof e === 'string' ? e : `${e.host}:${e.port}`)).join(', ')} in time. Log:\n${await tail(logFile)}`,
      );
    }
    await sleep(25);
  }

  started = true;

  // Isolated, the process we spawned is unshare, which ignores SIGTERM; libvirtd is its grandchild.
  const pid = (isolation === 'namespaces' ? childPidOf(childPidOf(child.pid ?? -1) ?? -1) : child.pid) ?? -1;
  const signal = (sig: NodeJS.Signals): void => {
    try {
      if (pid > 0) process.kill(pid, sig);
      else child.kill(sig);
    } catch {
      // Already gone.
    }
  };
  const uri = (driver: string, driverPath: string) => `${driver}+unix://${driverPath}?socket=${socketPath}`;

  return {
    dir,
    socketPath,
    readOnlySocketPath,
    logFile,
    guestLogDir,
    pid,
    isolation,
    testUri: uri('test', '/default'),
    qemuUri: uri('qemu', '/system'),
    uri,
    isRunning: () => !exited,
    async stop() {
      stopping = true;
      if (!exited) {
        signal('SIGTERM');
        const timedOut = await Promise.race([exitPromise.then(() => false), sleep(5000).then(() => true)]);
        if (timedOut) {
          signal('SIGKILL');
          child.kill('SIGKILL');
          await exitPromise;
        }
      }
      process.removeListener('exit', killOnExit);
      if (options.removeDirOnStop ?? createdDir) await rm(dir, { recursive: true, force: true });
    },
  };
}
