// Where the state store lives: one SQLite file per state directory, shared by every host and
// every source; records inside it are keyed by host identity and owner.
import os from 'node:os';
import path from 'node:path';

export const STATE_DB_FILE = 'state.db';

/** `$XDG_STATE_HOME/virtkeeper`, XDG_STATE_HOME defaulting to ~/.local/state. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state'), 'virtkeeper');
}

export function stateDbPath(stateDir: string): string {
  return path.join(stateDir, STATE_DB_FILE);
}

/** Where the JSON inventory of earlier versions was kept: imported once, then never read again. */
export function legacyInventoryPath(stateDir: string, hostKey: string): string {
  return path.join(stateDir, hostKey, 'inventory.json');
}
