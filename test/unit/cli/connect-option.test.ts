import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { connectOption, connectUriFromEnv } from '../../../src/cli/connect-option.js';

function parse(env: NodeJS.ProcessEnv, argv: string[]): { connect?: string; error?: string } {
  const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
  program.addOption(connectOption(env));
  try {
    program.parse(argv, { from: 'user' });
    return { connect: program.opts<{ connect?: string }>().connect };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

describe('--connect', () => {
  it('prefers the flag, then VIRTKEEPER_CONNECT, then LIBVIRT_DEFAULT_URI', () => {
    const env = { VIRTKEEPER_CONNECT: 'test:///default', LIBVIRT_DEFAULT_URI: 'qemu:///system' };
    expect(parse(env, ['--connect', 'qemu:///session']).connect).toBe('qemu:///session');
    expect(parse(env, []).connect).toBe('test:///default');
    expect(parse({ LIBVIRT_DEFAULT_URI: 'qemu:///system' }, []).connect).toBe('qemu:///system');
  });

  it('is required when neither the flag nor the environment gives a URI', () => {
    expect(parse({}, []).error).toMatch(/--connect/);
    expect(connectUriFromEnv({ VIRTKEEPER_CONNECT: '  ' })).toBeUndefined();
  });
});
