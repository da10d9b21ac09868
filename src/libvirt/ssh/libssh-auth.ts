// User authentication for the libssh/libssh2 transports: the sshauth= methods in their order,
// each tried only when it can be (an agent socket, a readable unencrypted key, a password in
// auth.conf). Nothing is ever prompted for: virtkeeper runs unattended. What was tried is
// recorded so a refusal can name it.
import { readFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import type { AnyAuthMethod, AuthenticationType, AuthHandlerMiddleware, KeyboardInteractiveCallback, NextAuthHandler, Prompt } from 'ssh2';
import { lookupAuthConf } from '../auth/auth-conf.js';
import type { LibsshParams } from './libssh-params.js';

export interface AuthAttempts {
  /** Methods offered to the server, e.g. "privkey /root/.ssh/id_ed25519". */
  readonly tried: string[];
  /** Methods we could not try, with why ("password: no [auth-ssh-…] in auth.conf"). */
  readonly skipped: string[];
  /** What the server said it accepts (from its last USERAUTH_FAILURE). */
  serverMethods: readonly string[];
}

type Candidate = { readonly label: string; readonly method: AnyAuthMethod };

function keyCandidates(params: LibsshParams, skipped: string[]): Candidate[] {
  if (params.keyFiles.length === 0) {
    skipped.push('privkey: no keyfile= and no ~/.ssh/id_ed25519, id_ecdsa or id_rsa');
    return [];
  }
  const out: Candidate[] = [];
  for (const file of params.keyFiles) {
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch (err) {
      skipped.push(`privkey ${file}: ${(err as Error).message}`);
      continue;
    }
    const parsed = ssh2.utils.parseKey(data);
    if (parsed instanceof Error) {
      // An encrypted key needs its passphrase, which we never prompt for: ssh-agent holds it.
      const why = /encrypted|passphrase/i.test(parsed.message)
        ? 'encrypted (load it into ssh-agent and use sshauth=agent)'
        : parsed.message;
      skipped.push(`privkey ${file}: ${why}`);
      continue;
    }
    out.push({ label: `privkey ${file}`, method: { type: 'publickey', username: params.username, key: data } });
  }
  return out;
}

function passwordFor(params: LibsshParams, env: NodeJS.ProcessEnv): string | undefined {
  // libvirt asks its auth callback for the password of service "ssh"; from auth.conf that is
  // [auth-ssh-<host>] or [auth-ssh-default].
  return lookupAuthConf('ssh', params.host, env, params.username)?.password;
}

function candidatesFor(params: LibsshParams, skipped: string[], env: NodeJS.ProcessEnv): Candidate[] {
  const out: Candidate[] = [];
  for (const m of params.methods) {
    switch (m) {
      case 'agent':
        if (params.agentSocket)
          out.push({ label: 'agent', method: { type: 'agent', username: params.username, agent: params.agentSocket } });
        else skipped.push('agent: SSH_AUTH_SOCK is not set');
        break;
      case 'privkey':
        out.push(...keyCandidates(params, skipped));
        break;
      case 'password':
      case 'keyboard-interactive': {
        const password = passwordFor(params, env);
        if (password === undefined) {
          skipped.push(`${m}: no password for host ${params.host} in auth.conf ([auth-ssh-${params.host}] or [auth-ssh-default])`);
        } else if (m === 'password') {
          out.push({ label: 'password', method: { type: 'password', username: params.username, password } });
        } else {
          // Every prompt gets the password: that is what a password-backed PAM conversation asks.
          const prompt = (_n: string, _i: string, _l: string, prompts: Prompt[], finish: KeyboardInteractiveCallback) =>
            finish(prompts.map(() => password));
          out.push({ label: 'keyboard-interactive', method: { type: 'keyboard-interactive', username: params.username, prompt } });
        }
        break;
      }
    }
  }
  return out;
}

/** The server's name for each of our methods, to skip those it does not accept. */
function serverName(method: AnyAuthMethod): AuthenticationType {
  return method.type === 'agent' ? 'publickey' : method.type;
}

export function libsshAuthHandler(
  params: LibsshParams,
  attempts: AuthAttempts,
  env: NodeJS.ProcessEnv = process.env,
): AuthHandlerMiddleware {
  const queue = candidatesFor(params, attempts.skipped, env);
  return (authsLeft: AuthenticationType[] | null, _partial: boolean, next: NextAuthHandler) => {
    if (authsLeft) attempts.serverMethods = authsLeft;
    for (;;) {
      const c = queue.shift();
      // ssh2 takes `false` for "no more methods" (then fails with level client-authentication);
      // @types/ssh2 leaves that value out of NextAuthHandler.
      if (!c) return next(false as unknown as AnyAuthMethod);
      if (authsLeft && !authsLeft.includes(serverName(c.method))) continue;
      attempts.tried.push(c.label);
      return next(c.method);
    }
  };
}
