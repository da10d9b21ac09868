// Reading the test guest's serial console, which libvirt writes to a file (serial type file).
// The guest prints one VK-STATUS line a second (init-script.ts); tests wait for a line that
// shows what they expect instead of sleeping for a fixed time.
import { existsSync, readFileSync } from 'node:fs';

export interface GuestStatus {
  memTotalKiB: number;
  nproc: number;
  nics: string[];
  blocks: string[];
  /** First line of /id.txt on the cdrom; "empty" without a medium, "none" without a drive. */
  cdrom: string;
}

export function parseStatus(line: string): GuestStatus | undefined {
  const m = /VK-STATUS memtotal_kib=(\d+) nproc=(\d+) nics=(\S*) blocks=(\S*) cdrom=(\S*)/.exec(line);
  if (!m) return undefined;
  const list = (s: string) => (s ? s.split(',') : []);
  return { memTotalKiB: Number(m[1]), nproc: Number(m[2]), nics: list(m[3]!), blocks: list(m[4]!), cdrom: m[5]! };
}

export function consoleText(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/** Resolves with the first console line at or after `fromOffset` matching `match`; rejects after the timeout with the console's tail. */
export async function waitForConsole(
  file: string,
  match: RegExp | ((line: string) => boolean),
  options: { timeoutMs?: number; fromOffset?: number } = {},
): Promise<string> {
  const test = typeof match === 'function' ? match : (l: string) => match.test(l);
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    // A restarted guest's console file starts again from empty (libvirt truncates it): a file
    // shorter than the offset is all new.
    const full = consoleText(file);
    const text = full.length < (options.fromOffset ?? 0) ? full : full.slice(options.fromOffset ?? 0);
    const hit = text.split('\n').find(test);
    if (hit !== undefined) return hit;
    if (Date.now() > deadline) {
      throw new Error(
        `no console line matching ${String(match)} in ${file} within ${options.timeoutMs ?? 60_000} ms; last lines:\n${text.split('\n').slice(-5).join('\n')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Waits for a status line (printed after `fromOffset`) satisfying `want`. */
export async function waitForStatus(
  file: string,
  want: (s: GuestStatus) => boolean,
  options: { timeoutMs?: number; fromOffset?: number } = {},
): Promise<GuestStatus> {
  const line = await waitForConsole(
    file,
    (l) => {
      const s = parseStatus(l);
      return s !== undefined && want(s);
    },
    options,
  );
  return parseStatus(line)!;
}

/** Boot ids of every VK-READY line in the console file (libvirt truncates it on restart, so usually one). */
export function bootIds(file: string): string[] {
  return [...consoleText(file).matchAll(/VK-READY \S+ boot=(\S+)/g)].map((m) => m[1]!);
}

/** Waits until the guest has booted again: a VK-READY line whose boot id is not `previous`. */
export async function waitForReboot(file: string, previous: string, timeoutMs = 90_000): Promise<string> {
  const line = await waitForConsole(file, (l) => /VK-READY/.test(l) && !l.includes(`boot=${previous}`), { timeoutMs });
  return /boot=(\S+)/.exec(line)![1]!;
}

/** Current length of the console file: pass as fromOffset to see only what comes after now. */
export function consoleOffset(file: string): number {
  return consoleText(file).length;
}

/** Every user-data the guest read from a seed cdrom, in order (see VK-USERDATA in init-script.ts). */
export function userDataSeen(file: string): Buffer[] {
  return [...consoleText(file).matchAll(/^VK-USERDATA (\S*)\r?$/gm)].map((m) => Buffer.from(m[1]!, 'base64'));
}
