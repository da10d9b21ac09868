import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { libsshParams } from '../../../src/libvirt/ssh/libssh-params.js';
import { UriError, parseLibvirtUri } from '../../../src/libvirt/uri.js';

const home = '/home/u';
const params = (uri: string, env: NodeJS.ProcessEnv = { HOME: home }) => libsshParams(parseLibvirtUri(uri, env), env);

describe('libssh parameters', () => {
  it('defaults: ~/.ssh/known_hosts, verify normal, libvirt order of sshauth methods', () => {
    const p = params('qemu+libssh://root@kvm1/system');
    expect(p).toMatchObject({ host: 'kvm1', port: 22, username: 'root', knownHosts: '/home/u/.ssh/known_hosts', verify: 'normal' });
    expect(p.methods).toEqual(['agent', 'privkey', 'password', 'keyboard-interactive']);
    expect(p.agentSocket).toBeUndefined();
  });

  it('keyfile, known_hosts (with ~), sshauth order, port and the agent socket', () => {
    const p = params(
      'qemu+libssh2://admin@kvm1:2222/system?keyfile=~/.ssh/vk&known_hosts=~/kh&sshauth=privkey,agent&known_hosts_verify=ignore',
      {
        HOME: home,
        SSH_AUTH_SOCK: '/run/agent.sock',
      },
    );
    expect(p).toMatchObject({
      port: 2222,
      username: 'admin',
      keyFiles: ['/home/u/.ssh/vk'],
      knownHosts: '/home/u/kh',
      verify: 'ignore',
      agentSocket: '/run/agent.sock',
    });
    expect(p.methods).toEqual(['privkey', 'agent']);
  });

  it('no_verify=1 means auto (as +ssh with StrictHostKeyChecking=no); an explicit known_hosts_verify wins', () => {
    expect(params('qemu+libssh://kvm1/system?no_verify=1').verify).toBe('auto');
    expect(params('qemu+libssh://kvm1/system?no_verify=1&known_hosts_verify=normal').verify).toBe('normal');
  });

  it('without keyfile= the default identities that exist', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vk-home-'));
    await mkdir(path.join(dir, '.ssh'));
    await writeFile(path.join(dir, '.ssh', 'id_rsa'), 'x');
    expect(params('qemu+libssh://kvm1/system', { HOME: dir }).keyFiles).toEqual([path.join(dir, '.ssh', 'id_rsa')]);
  });

  it('refuses values libvirt refuses', () => {
    expect(() => params('qemu+libssh://kvm1/system?known_hosts_verify=yes')).toThrow(UriError);
    expect(() => params('qemu+libssh://kvm1/system?sshauth=privkey,gssapi')).toThrow(
      /sshauth method 'gssapi' is not one of agent, privkey, password, keyboard-interactive/,
    );
  });
});
