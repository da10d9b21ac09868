// The auth step of opening a connection (after AUTH_LIST): none, polkit (REMOTE_PROC_AUTH_POLKIT)
// or SASL (AUTH_SASL_INIT/START/STEP) with the mechanisms implemented here in TypeScript:
// SCRAM-SHA-256, SCRAM-SHA-1, DIGEST-MD5 and PLAIN. GSSAPI (Kerberos) is not supported. On a
// protected channel (TLS, unix socket, ssh) no SASL security layer is used; over plain TCP only
// DIGEST-MD5 with qop=auth-conf can run, and its security layer then wraps the rest of the stream.
import type { RpcCaller } from '../rpc-types.js';
import { AUTH_POLKIT, AUTH_SASL_INIT, AUTH_SASL_START, AUTH_SASL_STEP } from '../generated/remote-procedures.js';
import { REMOTE_AUTH_NONE, REMOTE_AUTH_POLKIT, REMOTE_AUTH_SASL } from '../generated/constants.js';
import { LibvirtError, UnsupportedAuthError } from '../errors.js';
import type { LibvirtUri } from '../uri.js';
import { lookupCredentials, type SaslCredentials } from './auth-conf.js';
import { ScramClient, SaslMechanismError } from './scram.js';
import { DigestMd5Client, PLAIN_TCP_POLICY, SECURE_CHANNEL_POLICY } from './digest-md5.js';
import type { SecurityLayer } from '../security-layer.js';

/** Mechanisms we speak, best first. */
export const SUPPORTED_SASL_MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-1', 'DIGEST-MD5', 'PLAIN'] as const;
type Mechanism = (typeof SUPPORTED_SASL_MECHANISMS)[number];
/** The mechanisms that bring a security layer, so libvirt runs them over plain TCP. */
const LAYERED_MECHANISMS: readonly Mechanism[] = ['DIGEST-MD5'];

const AUTH_NAMES: Record<number, string> = { [REMOTE_AUTH_NONE]: 'none', [REMOTE_AUTH_SASL]: 'sasl', [REMOTE_AUTH_POLKIT]: 'polkit' };

export class AuthFailedError extends Error {
  override name = 'AuthFailedError';
}

export interface AuthContext {
  target: LibvirtUri;
  /** The byte stream is protected (TLS) or local (unix socket, also at the end of ssh). */
  secure: boolean;
  env?: NodeJS.ProcessEnv;
}

/** rpcgen's `char data<>`: one signed char per XDR int. */
const toChars = (text: string): number[] => [...Buffer.from(text, 'utf8')].map((b) => (b << 24) >> 24);
const fromChars = (chars: readonly number[]): string => Buffer.from(chars.map((c) => c & 0xff)).toString('utf8');

function pickMechanism(offered: string[], ctx: AuthContext): Mechanism {
  const forced = ctx.target.query.auth?.toLowerCase().startsWith('sasl.') ? ctx.target.query.auth.slice(5).toUpperCase() : undefined;
  // Where the channel is not secure libvirt's client and libvirtd both ask Cyrus for an SSF of at
  // least 56 (so Cyrus lists only mechanisms with a security layer), and libvirtd refuses, after
  // the login, less than its tcp_min_ssf (112 by default, it cannot be set lower). Of ours only
  // DIGEST-MD5 with qop=auth-conf can pass.
  const candidates = ctx.secure ? SUPPORTED_SASL_MECHANISMS : LAYERED_MECHANISMS;
  const usable = candidates.filter((m) => !forced || m === forced);
  const choice = usable.find((m) => offered.includes(m));
  if (choice) return choice;
  const offers = `${ctx.target.uri}: the daemon offers SASL mechanisms ${offered.join(', ') || '(none)'}`;
  if (!ctx.secure) {
    const asked = forced ? ` (auth=sasl.${forced.toLowerCase()} asks for ${forced})` : '';
    throw new UnsupportedAuthError(
      `${offers} over plain TCP${asked}, where libvirt requires a SASL security layer (SSF >= tcp_min_ssf, at least 112): ` +
        "virtkeeper does that with DIGEST-MD5 (qop=auth-conf, cipher 3des), so add digest-md5 to the mech_list of the daemon's " +
        'sasl2/libvirt.conf; SCRAM and PLAIN have no security layer and GSSAPI is not supported; or connect with qemu+tls:// ' +
        '(SASL then runs inside TLS, with SCRAM-SHA-256, SCRAM-SHA-1, DIGEST-MD5 or PLAIN) or qemu+ssh://',
    );
  }
  const wants = forced ? `the mechanism auth=sasl.${forced.toLowerCase()} asks for` : `one of ${usable.join(', ')}`;
  throw new UnsupportedAuthError(`${offers}, virtkeeper needs ${wants}. GSSAPI (Kerberos) is not supported.`);
}

function credentialsFor(ctx: AuthContext): SaslCredentials {
  const host = ctx.target.host ?? 'localhost';
  const creds = lookupCredentials(host, ctx.env ?? process.env, ctx.target.user);
  if (!creds) {
    throw new AuthFailedError(
      `${ctx.target.uri}: the daemon wants a SASL login and no credentials name ${host}: add [auth-libvirt-${host}] credentials=NAME and ` +
        '[credentials-NAME] authname=… password=… to $LIBVIRT_AUTH_FILE, ~/.config/libvirt/auth.conf or /etc/libvirt/auth.conf ' +
        '(or set VIRTKEEPER_SASL_USERNAME and VIRTKEEPER_SASL_PASSWORD)',
    );
  }
  return creds;
}

/** A mechanism as a sequence: initial response, then one answer per server challenge. */
interface Exchange {
  initial(): string | null;
  /** Answer to a challenge; null when the server said complete and only needs checking. */
  step(challenge: string, complete: boolean): string | null;
  /** After the server said complete: the security layer negotiated, if any. */
  layer(): SecurityLayer | undefined;
}

function exchangeFor(mech: Mechanism, creds: SaslCredentials, ctx: AuthContext): Exchange {
  switch (mech) {
    case 'SCRAM-SHA-256':
    case 'SCRAM-SHA-1': {
      const scram = new ScramClient(mech === 'SCRAM-SHA-1' ? 'sha1' : 'sha256', creds.username, creds.password);
      let sentFinal = false;
      return {
        initial: () => scram.first(),
        step: (challenge, complete) => {
          if (!sentFinal && !complete) {
            sentFinal = true;
            return scram.final(challenge);
          }
          scram.verify(challenge);
          return complete ? null : '';
        },
        layer: () => undefined,
      };
    }
    case 'DIGEST-MD5': {
      const policy = ctx.secure ? SECURE_CHANNEL_POLICY : PLAIN_TCP_POLICY;
      const digest = new DigestMd5Client(creds.username, creds.password, ctx.target.host ?? 'localhost', undefined, policy);
      let responded = false;
      return {
        initial: () => null,
        step: (challenge, complete) => {
          if (!responded && !complete) {
            responded = true;
            return digest.respond(challenge);
          }
          digest.verify(challenge);
          return complete ? null : '';
        },
        layer: () => digest.securityLayer(),
      };
    }
    case 'PLAIN':
      return {
        initial: () => `\0${creds.username}\0${creds.password}`,
        step: (_challenge, complete) => (complete ? null : ''),
        layer: () => undefined,
      };
  }
}

function refused(ctx: AuthContext, mech: string, creds: SaslCredentials, err: unknown): never {
  if (err instanceof LibvirtError) {
    throw new AuthFailedError(
      `${ctx.target.uri}: SASL ${mech} login as '${creds.username}' (credentials from ${creds.source}) refused: ${err.libvirtMessage} (${err.codeName})`,
      { cause: err },
    );
  }
  if (err instanceof SaslMechanismError) throw new AuthFailedError(`${ctx.target.uri}: ${err.message}`, { cause: err });
  throw err;
}

async function authSasl(conn: RpcCaller, ctx: AuthContext): Promise<SecurityLayer | undefined> {
  const { mechlist } = await conn.call(AUTH_SASL_INIT, undefined);
  const offered = mechlist
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((m) => m.toUpperCase());
  const mech = pickMechanism(offered, ctx);
  const creds = credentialsFor(ctx);
  const exchange = exchangeFor(mech, creds, ctx);
  try {
    const first = exchange.initial();
    let reply = await conn.call(AUTH_SASL_START, { mech, nil: first === null ? 1 : 0, data: first === null ? [] : toChars(first) });
    // A bounded number of round trips: every mechanism here needs at most three.
    for (let round = 0; round < 8; round++) {
      const challenge = reply.nil ? '' : fromChars(reply.data);
      const answer = exchange.step(challenge, reply.complete !== 0);
      if (reply.complete !== 0) return exchange.layer();
      reply = await conn.call(AUTH_SASL_STEP, { nil: answer === null ? 1 : 0, data: answer === null ? [] : toChars(answer) });
    }
    throw new SaslMechanismError(`SASL ${mech}: the daemon did not finish after 8 steps`);
  } catch (err) {
    refused(ctx, mech, creds, err);
  }
}

async function authPolkit(conn: RpcCaller, ctx: AuthContext): Promise<void> {
  try {
    const { complete } = await conn.call(AUTH_POLKIT, undefined);
    if (!complete) throw new AuthFailedError(`${ctx.target.uri}: polkit did not complete the authorization`);
  } catch (err) {
    if (err instanceof LibvirtError) {
      throw new AuthFailedError(
        `${ctx.target.uri}: polkit refused access to libvirt: ${err.libvirtMessage} (${err.codeName}); ` +
          "allow this user the action org.libvirt.unix.manage (e.g. add it to the 'libvirt' group) or connect over ssh",
        { cause: err },
      );
    }
    throw err;
  }
}

/**
 * Runs the auth method the daemon asks for, given AUTH_LIST's answer. A URI's `auth=` picks
 * among several offered methods (`auth=sasl`, `auth=sasl.scram-sha-256`, `auth=polkit`).
 * Resolves with the SASL security layer the daemon now expects every byte to go through (the
 * caller must install it before sending anything else), or undefined when there is none.
 */
export async function authenticate(conn: RpcCaller, types: readonly number[], ctx: AuthContext): Promise<SecurityLayer | undefined> {
  if (types.length === 0) return undefined;
  const wanted = ctx.target.query.auth?.toLowerCase().split('.')[0];
  const order = wanted ? types.filter((t) => AUTH_NAMES[t] === wanted) : [...types];
  const pick = order.includes(REMOTE_AUTH_NONE) ? REMOTE_AUTH_NONE : order[0];
  if (pick === undefined) {
    throw new UnsupportedAuthError(
      `${ctx.target.uri}: auth=${ctx.target.query.auth} asked for, the daemon offers ${types.map((t) => AUTH_NAMES[t] ?? `type ${t}`).join(', ')}`,
    );
  }
  switch (pick) {
    case REMOTE_AUTH_NONE:
      return undefined;
    case REMOTE_AUTH_POLKIT:
      await authPolkit(conn, ctx);
      return undefined;
    case REMOTE_AUTH_SASL:
      return authSasl(conn, ctx);
    default:
      throw new UnsupportedAuthError(`${ctx.target.uri}: the daemon requires auth type ${pick}, which virtkeeper does not know`);
  }
}
