// `virtkeeper sandbox`: the embedded default host. Starts a private libvirtd serving libvirt's
// test driver and holds one connection open for as long as it runs, because the test driver
// throws its whole state away when its last connection closes (measured: see README).
import { spawn } from 'node:child_process';
import { writeFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { closeConnection, openConnection } from '../../libvirt/connect.js';
import type { RpcConnection } from '../../libvirt/connection.js';
import { startPrivateLibvirtd, type PrivateLibvirtd } from '../../sandbox/private-libvirtd.js';

export interface SandboxOptions {
  dir?: string;
  uriFile?: string;
}

export interface RunningSandbox {
  daemon: PrivateLibvirtd;
  /** The test driver (the default: state lives only while the sandbox runs). */
  uri: string;
  /** The real QEMU driver (TCG guests; networks and storage in the daemon's own namespaces). */
  qemuUri: string;
  /** XDG_STATE_HOME for commands run against this sandbox (inventories live below it). */
  stateDir: string;
  stop(): Promise<void>;
}

/** Starts the daemon and the keeper connection; the caller decides how long it lives. */
export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const daemon = await startPrivateLibvirtd({ dir: options.dir });
  let keeper: RpcConnection;
  try {
    keeper = await openConnection(daemon.testUri);
  } catch (err) {
    await daemon.stop();
    throw err;
  }
  if (options.uriFile) await writeFile(options.uriFile, daemon.testUri + '\n');
  return {
    daemon,
    uri: daemon.testUri,
    qemuUri: daemon.qemuUri,
    stateDir: path.join(daemon.dir, 'state'),
    async stop() {
      await closeConnection(keeper).catch(() => undefined);
      await daemon.stop();
      if (options.uriFile) await rm(options.uriFile, { force: true });
    },
  };
}

/**
 * Environment for commands run against the sandbox. Every sandbox host has the same libvirt
 * hostname and driver, which is what inventories are keyed by, so each sandbox gets its own state
 * directory: an inventory left by an earlier sandbox must not describe this empty host.
 */
export function sandboxEnv(sandbox: RunningSandbox, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...base, VIRTKEEPER_CONNECT: sandbox.uri, VIRTKEEPER_QEMU_CONNECT: sandbox.qemuUri, XDG_STATE_HOME: sandbox.stateDir };
}

/** Runs a command in the sandbox's environment and resolves with its exit code. */
function runInSandbox(argv: string[], sandbox: RunningSandbox): Promise<number> {
  return new Promise((resolve, reject) => {
    // spawns: user-command
    const child = spawn(argv[0], argv.slice(1), { stdio: 'inherit', env: sandboxEnv(sandbox) });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

export function registerSandboxCommand(program: Command): void {
  program
    .command('sandbox')
    .description(
      "start a private libvirtd serving libvirt's test driver and the real QEMU driver (TCG) in its own namespaces; " +
        'prints both URIs (test driver first) to pass to --connect. With a command after --, runs it with VIRTKEEPER_CONNECT set and stops afterwards',
    )
    .option('--dir <dir>', 'directory for the socket, config and log (default: a new temp dir)')
    .option('--uri-file <file>', 'also write the URI to this file (removed on exit)')
    .argument('[command...]', 'command to run against the sandbox, e.g. -- virtkeeper apply examples/manifests')
    .action(async (command: string[], opts: { dir?: string; uriFile?: string }) => {
      const sandbox = await startSandbox({ dir: opts.dir, uriFile: opts.uriFile });
      if (command.length > 0) {
        process.stderr.write(
          `sandbox: libvirt test driver at ${sandbox.uri}\nsandbox: QEMU driver (TCG) at ${sandbox.qemuUri} ($VIRTKEEPER_QEMU_CONNECT)\n`,
        );
        const code = await runInSandbox(command, sandbox).finally(() => sandbox.stop());
        process.exitCode = code;
        return;
      }
      // Line 1: the test driver (what scripts read); line 2: the real QEMU driver.
      process.stdout.write(`${sandbox.uri}\n${sandbox.qemuUri}\n`);
      process.stderr.write(
        `sandbox: private libvirtd pid ${sandbox.daemon.pid} (log ${sandbox.daemon.logFile}, guest logs ${sandbox.daemon.guestLogDir}); ` +
          `isolation: ${sandbox.daemon.isolation}; ` +
          'state lives until you stop this process (Ctrl-C)\n' +
          `sandbox: pass --state-dir ${path.join(sandbox.stateDir, 'virtkeeper')} to apply/plan so this empty host gets its own state store\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await sandbox.stop();
    });
}
