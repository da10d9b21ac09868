// What a tunnel (the ssh process, an ext command, or a libssh exec channel) printed on stderr,
// kept by the stream it carries, so a failed connection set-up can report the tunnel's own words
// ("Permission denied (publickey).", "sh: 1: nc: not found") instead of "the daemon closed the
// connection".
import type { Duplex } from 'node:stream';

export interface TunnelDiagnostics {
  /** The tail of what the tunnel printed on stderr. */
  stderr: () => string;
  /** Settles when the tunnel has ended (process exited, channel closed). */
  exited: Promise<void>;
}

const tunnels = new WeakMap<Duplex, TunnelDiagnostics>();

export function registerTunnel(stream: Duplex, diagnostics: TunnelDiagnostics): void {
  tunnels.set(stream, diagnostics);
}

/** The last line a tunnel printed on stderr, once it ended or after `waitMs`. */
export async function tunnelFailure(stream: Duplex, waitMs = 1000): Promise<string | undefined> {
  const diag = tunnels.get(stream);
  if (!diag) return undefined;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([diag.exited, new Promise((r) => (timer = setTimeout(r, waitMs)))]);
  clearTimeout(timer);
  const lines = diag
    .stderr()
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^Warning: Permanently added/.test(l));
  return lines.at(-1);
}
