// Parsing of the daemon's command-line values. Pure and strict: a typo in a flag must stop the
// daemon at start rather than run it with a surprising default.

const UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * "5m", "30s", "1h30m", "250ms", or a bare number of seconds. "0" disables (returns 0).
 * Throws on anything else.
 */
export function parseDuration(text: string): number {
  const s = text.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = part.exec(s); m !== null; m = part.exec(s)) {
    total += Number(m[1]) * UNITS_MS[m[2]!]!;
    consumed = part.lastIndex;
  }
  if (s === '' || consumed !== s.length) {
    throw new Error(`invalid duration ${JSON.stringify(text)}: use e.g. 30s, 5m, 1h30m, 250ms`);
  }
  return Math.round(total);
}

export interface ListenAddress {
  host: string;
  port: number;
}

export const DEFAULT_LISTEN = '127.0.0.1:9464';

/** "127.0.0.1:9464", "[::1]:9464", ":9464" (all interfaces), "9464" (localhost). Port 0 picks a free one. */
export function parseListen(text: string): ListenAddress {
  const s = text.trim();
  let host: string;
  let portText: string;
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(s);
  if (v6) {
    host = v6[1]!;
    portText = v6[2]!;
  } else if (/^\d+$/.test(s)) {
    host = '127.0.0.1';
    portText = s;
  } else {
    const i = s.lastIndexOf(':');
    if (i < 0 || s.indexOf(':') !== i)
      throw new Error(`invalid listen address ${JSON.stringify(text)}: use host:port, e.g. ${DEFAULT_LISTEN}`);
    host = s.slice(0, i) || '0.0.0.0';
    portText = s.slice(i + 1);
  }
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new Error(`invalid port in listen address ${JSON.stringify(text)}`);
  return { host, port };
}
