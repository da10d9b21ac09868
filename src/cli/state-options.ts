// The options every command that reads or writes the state store shares, and the glue that
// opens it: --state-dir, --owner, and for commands that change the host --lock-timeout; for
// commands that may prune, the empty-tree guard's --allow-empty and --prune-max.
import { InvalidArgumentError, type Command } from 'commander';
import type { LibvirtClient } from '../libvirt/client.js';
import { readHostIdentity } from '../reconciler/live-state.js';
import { defaultStateDir, legacyInventoryPath, sourceOwner, StateStore, type HostState } from '../state/index.js';
import type { CommandIo } from './commands/plan.js';

export interface StateLocation {
  /** Directory of state.db; default $XDG_STATE_HOME/virtkeeper. */
  stateDir?: string;
  /** Owner of the records; default the source id of the manifests directory. */
  owner?: string;
}

export interface PruneGuardFlags {
  allowEmpty?: boolean;
  /** Share 0..1. */
  pruneMax?: number;
}

export interface LockFlags {
  /** Seconds to wait for the host lock; 0 fails at once. */
  lockTimeout?: number;
}

/** "50%", "50" → 0.5; "100%" → 1. */
export function parsePruneMax(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(value);
  const n = m ? Number(m[1]) : NaN;
  if (!(n >= 0 && n <= 100)) throw new InvalidArgumentError(`--prune-max wants a percentage from 0% to 100%, got ${JSON.stringify(value)}`);
  return n / 100;
}

export function parseLockTimeout(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError(`--lock-timeout wants a number of seconds >= 0, got ${JSON.stringify(value)}`);
  return n;
}

export function stateOptions(command: Command): Command {
  return command
    .option('--state-dir <dir>', 'directory of the state store state.db (default $XDG_STATE_HOME/virtkeeper or ~/.local/state/virtkeeper)')
    .option('--owner <name>', 'owner recorded with every object (default: git remote + path of the manifests, else their path)');
}

export function lockOption(command: Command): Command {
  return command.option(
    '--lock-timeout <seconds>',
    'wait this long for another apply or daemon on the same host (default 0: fail at once)',
    parseLockTimeout,
  );
}

export function pruneGuardOptions(command: Command): Command {
  return command
    .option('--allow-empty', 'let prune delete every recorded object when the manifests are empty')
    .option('--prune-max <percent>', "largest share of this owner's recorded objects one prune may delete (default 50%)", parsePruneMax);
}

export function stateDirOf(where: StateLocation): string {
  return where.stateDir ?? defaultStateDir();
}

/** Opens the store before anything else happens; an unusable state directory is one line on stderr. */
export function openStore(where: StateLocation, io: CommandIo): StateStore | undefined {
  try {
    return StateStore.open(stateDirOf(where));
  } catch (err) {
    io.stderr(`${err instanceof Error ? err.message : String(err)}; nothing was changed\n`);
    return undefined;
  }
}

export async function ownerOf(dir: string, where: StateLocation): Promise<string> {
  return where.owner ?? (await sourceOwner(dir));
}

/** The host's records as `owner` sees them, with an inventory.json of earlier versions imported once (said on stderr). */
export async function openHostState(
  store: StateStore,
  client: LibvirtClient,
  owner: string,
  where: StateLocation,
  io: CommandIo,
): Promise<HostState> {
  const host = await readHostIdentity(client);
  const state = store.host(host, owner);
  const imported = state.importLegacyInventory(legacyInventoryPath(stateDirOf(where), host.key));
  if (imported) {
    io.stderr(
      `imported ${imported.records} record(s) from ${imported.file} into ${store.file} as owner ${owner}; that file is no longer read and may be removed\n`,
    );
  }
  return state;
}
