import { describe, expect, it } from 'vitest';
import { UriError, parseLibvirtUri, readOnlySocketPath, sessionSocketPath } from '../../../src/libvirt/uri.js';
import { sshArgs, sshRemoteCommand } from '../../../src/libvirt/transport.js';

const env = { XDG_RUNTIME_DIR: '/run/user/1000', HOME: '/home/u' };
const parse = (uri: string) => parseLibvirtUri(uri, env);

describe('parseLibvirtUri', () => {
  it('test+unix with socket= uses exactly that socket and strips it from the name', () => {
    const u = parse('test+unix:///default?socket=/tmp/x/libvirt-sock');
    expect(u).toMatchObject({
      driver: 'test',
      transport: 'unix',
      path: '/default',
      socket: '/tmp/x/libvirt-sock',
      socketExplicit: true,
      name: 'test:///default',
    });
    expect(u.host).toBeUndefined();
    expect(u.query).toEqual({ socket: '/tmp/x/libvirt-sock' });
  });

  it('qemu:///system goes to the system socket', () => {
    const u = parse('qemu:///system');
    expect(u).toMatchObject({ driver: 'qemu', transport: 'unix', socket: '/var/run/libvirt/libvirt-sock', socketExplicit: false });
    expect(u.name).toBe('qemu:///system');
    expect(readOnlySocketPath(u.socket!)).toBe('/var/run/libvirt/libvirt-sock-ro');
  });

  it('names a mistyped driver path and the URI meant, before any socket is tried', () => {
    expect(() => parse('qemu:///sytem')).toThrow("'qemu:///sytem': driver qemu has no path '/sytem' (did you mean qemu:///system?)");
    expect(() => parse('qemu+ssh://root@kvm01/sesion')).toThrow('(did you mean qemu+ssh://root@kvm01/session?)');
    expect(() => parse('network:///nope')).toThrow('expected network:///system or network:///session');
    expect(parse('qemu:///embed?root=/tmp/x').path).toBe('/embed');
  });

  it('qemu:///session goes to the per-user socket', () => {
    expect(parse('qemu:///session').socket).toBe('/run/user/1000/libvirt/libvirt-sock');
    expect(sessionSocketPath({ HOME: '/home/u' })).toBe('/home/u/.cache/libvirt/libvirt-sock');
  });

  it('test:///default without a transport is a local unix connection', () => {
    expect(parse('test:///default')).toMatchObject({ transport: 'unix', name: 'test:///default', path: '/default' });
  });

  it('qemu+tcp carries host and port and sends the plain driver URI', () => {
    const u = parse('qemu+tcp://kvm1.example.com:16600/system');
    expect(u).toMatchObject({ transport: 'tcp', host: 'kvm1.example.com', port: 16600, name: 'qemu:///system' });
    expect(u.socket).toBeUndefined();
    expect(parse('qemu+tcp://kvm1/system').port).toBe(16509);
  });

  it('qemu+tls defaults to port 16514; a host without transport means tls', () => {
    expect(parse('qemu+tls://kvm1/system')).toMatchObject({ transport: 'tls', port: 16514, host: 'kvm1' });
    expect(parse('qemu://kvm1/system')).toMatchObject({ transport: 'tls', port: 16514 });
  });

  it('qemu+ssh keeps the user, and the remote socket defaults to the system one', () => {
    const u = parse('qemu+ssh://root@kvm1/system?keyfile=/k');
    expect(u).toMatchObject({
      transport: 'ssh',
      user: 'root',
      host: 'kvm1',
      socket: '/var/run/libvirt/libvirt-sock',
      name: 'qemu:///system',
    });
    expect(u.port).toBeUndefined();
  });

  it('understands IPv6 hosts', () => {
    expect(parse('qemu+tcp://[fe80::1]:1234/system')).toMatchObject({ host: 'fe80::1', port: 1234 });
  });

  it('keeps server-side query parameters in the name and drops client-side ones', () => {
    const u = parse('qemu+ssh://h/system?no_verify=1&keyfile=/k&foo=bar%20baz&mode=legacy');
    expect(u.name).toBe('qemu:///system?foo=bar%20baz');
    expect(u.query.foo).toBe('bar baz');
  });

  it('ext: runs command=, which is never sent to the daemon', () => {
    const u = parse('qemu+ext:///system?command=/usr/local/bin/proxy&foo=1');
    expect(u.transport).toBe('ext');
    expect(u.query.command).toBe('/usr/local/bin/proxy');
    expect(u.name).toBe('qemu:///system?foo=1');
  });

  it('name= overrides what is sent', () => {
    expect(parse('qemu+ssh://h/system?name=qemu:///session').name).toBe('qemu:///session');
  });

  it('qemu+libssh and qemu+libssh2: port 22 by default, the remote system socket, client parameters stripped', () => {
    for (const t of ['libssh', 'libssh2'] as const) {
      const u = parse(`qemu+${t}://root@kvm1/system?known_hosts_verify=auto&sshauth=privkey&keyfile=/k`);
      expect(u).toMatchObject({
        transport: t,
        user: 'root',
        host: 'kvm1',
        port: 22,
        socket: '/var/run/libvirt/libvirt-sock',
        name: 'qemu:///system',
      });
    }
    expect(() => parse('qemu+libssh:///system')).toThrow(/needs a host/);
  });

  it('rejects what libvirt rejects, and transports we do not do', () => {
    expect(() => parse('/var/run/libvirt')).toThrow(UriError);
    expect(() => parse('qemu+carrier-pigeon:///system')).toThrow(/unknown transport/);
    expect(() => parse('qemu+ext:///system')).toThrow(
      /the ext transport needs the program to run, e\.g\. qemu\+ext:\/\/\/system\?command=/,
    );
    expect(() => parse('qemu+tcp:///system')).toThrow(/needs a host/);
    expect(() => parse('qemu+unix://h/system')).toThrow(/cannot reach host/);
  });
});

describe('ssh command line', () => {
  it('passes user, port and key to ssh and runs the helper or netcat remotely', () => {
    const u = parse('qemu+ssh://admin@kvm1:2222/system?keyfile=/home/u/.ssh/id');
    const args = sshArgs(u);
    expect(args.slice(0, 6)).toEqual(['-p', '2222', '-l', 'admin', '-i', '/home/u/.ssh/id']);
    expect(args).toContain('-T');
    expect(args[args.indexOf('--') + 1]).toBe('kvm1');
    const remote = args[args.length - 1]!;
    expect(remote).toContain('virt-ssh-helper');
    expect(remote).toContain('qemu:///system');
    expect(remote).toContain('/var/run/libvirt/libvirt-sock');
  });

  it('honours known_hosts and no_verify as libvirt does', () => {
    const args = sshArgs(parse('qemu+ssh://kvm1/system?known_hosts=/etc/vk/known_hosts&no_verify=1'));
    expect(args).toEqual(expect.arrayContaining(['-o', 'UserKnownHostsFile=/etc/vk/known_hosts', '-o', 'StrictHostKeyChecking=no']));
    expect(sshArgs(parse('qemu+ssh://kvm1/system')).join(' ')).not.toMatch(/StrictHostKeyChecking|UserKnownHostsFile/);
  });

  it('uses plain netcat on an explicit socket', () => {
    const u = parse("qemu+ssh://kvm1/system?socket=/run/it's/sock");
    expect(sshRemoteCommand(u)).toBe(`'nc' -U '/run/it'\\''s/sock'`);
  });
});

describe('ssh read-only', () => {
  it('asks for the remote read-only socket or virt-ssh-helper --readonly', () => {
    const u = parseLibvirtUri('qemu+ssh://kvm1/system', env);
    const cmd = sshRemoteCommand(u, true);
    expect(cmd).toContain('virt-ssh-helper --readonly');
    expect(cmd).toContain('/var/run/libvirt/libvirt-sock-ro');
    expect(sshRemoteCommand(u, false)).not.toContain('readonly');
  });
});

describe('modular daemons (mode=auto|legacy|direct)', () => {
  const only =
    (...present: string[]) =>
    (p: string) =>
      present.includes(p);
  it('reaches virtqemud-sock when the host runs modular daemons only', () => {
    expect(parseLibvirtUri('qemu:///system', {}, only('/var/run/libvirt/virtqemud-sock')).socket).toBe('/var/run/libvirt/virtqemud-sock');
    expect(parseLibvirtUri('network:///system', {}, only('/var/run/libvirt/virtnetworkd-sock')).socket).toBe(
      '/var/run/libvirt/virtnetworkd-sock',
    );
  });

  it('keeps libvirt-sock when libvirtd (or virtproxyd) listens there, and for drivers without a modular daemon', () => {
    const both = only('/var/run/libvirt/virtqemud-sock', '/var/run/libvirt/libvirt-sock');
    expect(parseLibvirtUri('qemu:///system', {}, both).socket).toBe('/var/run/libvirt/libvirt-sock');
    expect(parseLibvirtUri('test:///default', {}, only()).socket).toBe('/var/run/libvirt/libvirt-sock');
  });

  it('obeys mode=legacy and mode=direct, and names a bad mode', () => {
    const modularOnly = only('/var/run/libvirt/virtqemud-sock');
    expect(parseLibvirtUri('qemu:///system?mode=legacy', {}, modularOnly).socket).toBe('/var/run/libvirt/libvirt-sock');
    expect(parseLibvirtUri('qemu:///system?mode=direct', {}, only()).socket).toBe('/var/run/libvirt/virtqemud-sock');
    expect(parseLibvirtUri('qemu:///system?mode=direct', {}, only()).name).toBe('qemu:///system');
    expect(() => parseLibvirtUri('qemu:///system?mode=fast', {}, only())).toThrow(
      /unknown mode 'fast' \(expected auto, legacy or direct\)/,
    );
  });
});
