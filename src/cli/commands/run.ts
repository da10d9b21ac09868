// `virtkeeper run DIR --connect URI`: the daemon. Keeps the host converged on DIR (a plain
// directory or a git-sync symlink) until SIGTERM/SIGINT, which finish in-flight actions first.
import { existsSync } from 'node:fs';
import { DEFAULT_CONCURRENCY } from '../../reconciler/executor.js';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { callTimeoutOption } from '../connect-option.js';
import { createLogger, type LogFormat, type LogLevel } from '../../observability/logger.js';
import { Controller } from '../../reconciler/controller.js';
import { createDefaultEngine } from '../../reconciler/daemon-wiring.js';
import { DEFAULT_LISTEN, parseDuration, parseListen, type ListenAddress } from '../../reconciler/daemon-options.js';
import { sourceOwner, StateStore } from '../../state/index.js';
import { parsePruneMax, stateDirOf } from '../state-options.js';

export interface RunCommandOptions {
  connect?: string;
  /** --call-timeout in ms. */
  callTimeout?: number;
  prune?: boolean;
  resyncInterval: number;
  listen: ListenAddress;
  concurrency: number;
  debounce: number;
  stateDir?: string;
  owner?: string;
  allowEmpty?: boolean;
  pruneMax?: number;
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** --no-domain-stats turns per-domain statistics in /metrics off. */
  domainStats: boolean;
}

/** Commander prints an InvalidArgumentError as a one-line usage error instead of a stack trace. */
function cliParser<T>(parse: (value: string) => T): (value: string) => T {
  return (value) => {
    try {
      return parse(value);
    } catch (err) {
      throw new InvalidArgumentError(err instanceof Error ? err.message : String(err));
    }
  };
}

const parsePositiveInt = cliParser((value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive integer, got ${JSON.stringify(value)}`);
  return n;
});

/** Runs until a signal stops it; resolves with the exit code. */
export async function runDaemon(dir: string, opts: RunCommandOptions): Promise<number> {
  const logger = createLogger({ level: opts.logLevel, format: opts.logFormat, name: 'virtkeeper' });
  const uri = opts.connect ?? process.env.LIBVIRT_DEFAULT_URI;
  if (!uri) {
    logger.error('no libvirt URI: pass --connect URI (or set VIRTKEEPER_CONNECT)');
    return 2;
  }
  // The store first: an unusable state directory stops the daemon before it touches the host.
  let store: StateStore;
  try {
    store = StateStore.open(stateDirOf(opts));
  } catch (err) {
    logger.error(err instanceof Error ? err.message : String(err));
    return 1;
  }
  let owner = opts.owner;
  // A directory that does not exist yet (the daemon started before the first git-sync or push)
  // gets its owner when the daemon first connects, after the directory appeared.
  if (owner === undefined && existsSync(dir)) {
    try {
      owner = await sourceOwner(dir);
    } catch (err) {
      store.close();
      logger.error(`cannot derive the owner of ${dir} (${err instanceof Error ? err.message : String(err)}); pass --owner NAME`);
      return 1;
    }
  }
  logger.info({ stateDb: store.file, owner: owner ?? `the source id of ${dir}, once it exists` }, 'state store open');
  let controller: Controller;
  try {
    controller = await Controller.start({
      dir,
      uri,
      engine: createDefaultEngine({
        store,
        ...(opts.callTimeout !== undefined ? { callTimeoutMs: opts.callTimeout } : {}),
        ...(opts.allowEmpty !== undefined ? { allowEmpty: opts.allowEmpty } : {}),
        ...(opts.pruneMax !== undefined ? { pruneMax: opts.pruneMax } : {}),
        onNotice: (line) => logger.warn(line),
      }),
      prune: opts.prune ?? false,
      resyncIntervalMs: opts.resyncInterval,
      listen: opts.listen,
      concurrency: opts.concurrency,
      domainStats: opts.domainStats,
      debounceMs: opts.debounce,
      settleMs: opts.debounce,
      inventory: {
        ...(owner !== undefined ? { owner } : {}),
        source: dir,
        ...(opts.stateDir !== undefined ? { stateDir: opts.stateDir } : {}),
      },
      logger,
    });
  } catch (err) {
    logger.error({ err }, 'daemon failed to start');
    return 1;
  }
  logger.info(
    { dir, uri, prune: opts.prune ?? false, resyncIntervalMs: opts.resyncInterval, url: controller.url },
    'virtkeeper daemon running',
  );

  return new Promise<number>((resolve) => {
    let stopping = false;
    const onStop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        // A second signal means "now": the operator gave up waiting for in-flight actions.
        logger.warn({ signal }, 'second signal: exiting without waiting');
        process.exit(130);
      }
      stopping = true;
      logger.info({ signal }, 'shutting down');
      controller.stop().then(
        () => resolve(0),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    const onHup = (): void => {
      logger.info('SIGHUP: full resync');
      void controller.fullSync('SIGHUP');
    };
    process.on('SIGTERM', onStop);
    process.on('SIGINT', onStop);
    process.on('SIGHUP', onHup);
  });
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run the reconciler daemon: keep the host converged on DIR (watches files, libvirt events, periodic resync)')
    .argument('<dir>', 'manifest directory (may be a git-sync style symlink that is swapped atomically)')
    .addOption(new Option('-c, --connect <uri>', 'libvirt URI, e.g. qemu:///system').env('VIRTKEEPER_CONNECT'))
    .addOption(callTimeoutOption())
    .option(
      '--prune',
      "delete this owner's recorded objects whose manifests are gone (never those annotated virtkeeper.io/prune: disabled)",
    )
    .addOption(
      new Option('--resync-interval <duration>', 'full resync period, e.g. 30s, 5m, 1h; 0 disables')
        .argParser(cliParser(parseDuration))
        .default(parseDuration('5m'), '5m'),
    )
    .addOption(
      new Option('--listen <host:port>', 'HTTP address for /metrics /healthz /readyz /status; port 0 picks a free one')
        .argParser(cliParser(parseListen))
        .default(parseListen(DEFAULT_LISTEN), DEFAULT_LISTEN),
    )
    .addOption(new Option('--concurrency <n>', 'objects reconciled in parallel').argParser(parsePositiveInt).default(DEFAULT_CONCURRENCY))
    .addOption(
      new Option('--debounce <duration>', 'quiet time after file changes before reloading')
        .argParser(cliParser(parseDuration))
        .default(parseDuration('300ms'), '300ms'),
    )
    .option(
      '--no-domain-stats',
      'leave per-domain statistics (CPU, memory, disks, interfaces; one virConnectGetAllDomainStats per scrape) out of /metrics',
    )
    .option('--state-dir <dir>', 'directory of the state store state.db (default $XDG_STATE_HOME/virtkeeper or ~/.local/state/virtkeeper)')
    .option('--owner <name>', 'owner recorded with every object (default: git remote + path of the manifests, else the path as given)')
    .option('--allow-empty', 'let prune delete every recorded object when the manifests are empty')
    .addOption(
      new Option('--prune-max <percent>', "largest share of this owner's recorded objects one prune may delete")
        .argParser(parsePruneMax)
        .default(0.5, '50%'),
    )
    .addOption(
      new Option('--log-level <level>', 'log level')
        .choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
        .default('info'),
    )
    .addOption(
      new Option('--log-format <format>', 'json lines, pretty text, or auto (pretty on a terminal)')
        .choices(['auto', 'json', 'pretty'])
        .default('auto'),
    )
    .action(async (dir: string, opts: RunCommandOptions) => {
      const code = await runDaemon(dir, opts);
      process.exitCode = code;
      // Everything was closed; should a stray handle keep the loop alive, still exit soon.
      setTimeout(() => process.exit(code), 2000).unref();
    });
}
