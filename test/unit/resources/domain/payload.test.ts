// Domain steps read their payloads through the shared checks (common/payload.ts): a flag that
// is not a boolean, or a number that is not a number, is refused before libvirt is called,
// instead of being read as false or as the default.
import { describe, expect, it } from 'vitest';
import type { DomainRef, LibvirtClient } from '../../../../src/libvirt/client.js';
import { StepPayloadError } from '../../../../src/resources/common/payload.js';
import { domainKind } from '../../../../src/resources/domain/index.js';
import type { DomainStep } from '../../../../src/resources/domain/steps.js';
import type { ResourceChange } from '../../../../src/resources/types.js';
import { handEdited } from '../common/payload-of.js';

const REF: DomainRef = { name: 'vm', uuid: '0b6f1d9e-8e2a-4c51-9d3e-5f0a7b2c4d11', id: 1 };

/** A client that records the libvirt calls a step makes. */
function recordingClient() {
  const calls: string[] = [];
  const client = {
    getDomain: async () => REF,
    setDomainAutostart: async (_ref: DomainRef, autostart: boolean) => void calls.push(`autostart ${autostart}`),
    startDomain: async (_ref: DomainRef, opts?: { paused?: boolean }) => void calls.push(`start paused=${opts?.paused === true}`),
    setDomainMemory: async (_ref: DomainRef, kib: number, impact: { live: boolean; config: boolean }) =>
      void calls.push(`memory ${kib} live=${impact.live} config=${impact.config}`),
    setDomainMetadata: async (_ref: DomainRef, meta: { type: string; value: string | null }) =>
      void calls.push(`metadata ${meta.type}=${meta.value}`),
  };
  return { client: client as unknown as LibvirtClient, calls };
}

const changeOf = (step: DomainStep) =>
  ({
    key: 'Domain/vm',
    kind: 'Domain',
    name: 'vm',
    action: 'update',
    changes: [],
    restartRequired: false,
    reason: '',
    steps: [step],
    dependsOn: [],
  }) as ResourceChange<'Domain'>;

async function run(step: DomainStep): Promise<string[]> {
  const { client, calls } = recordingClient();
  await domainKind.execute(step, changeOf(step), client);
  return calls;
}

describe('domain step payloads', () => {
  it('runs well-formed payloads; an absent flag is false', async () => {
    expect(await run({ op: 'setAutostart', description: 'enable', payload: { autostart: true } })).toEqual(['autostart true']);
    expect(await run({ op: 'start', description: 'start' })).toEqual(['start paused=false']);
    expect(await run({ op: 'setMemory', description: 'mem', payload: { kib: 1024, live: true, config: false } })).toEqual([
      'memory 1024 live=true config=false',
    ]);
    expect(
      await run({ op: 'setMetadata', description: 'title', payload: { type: 'title', value: null, config: true, live: false } }),
    ).toEqual(['metadata title=null']);
  });

  it('refuses a flag that is not a boolean instead of reading it as false', async () => {
    await expect(
      run(handEdited<DomainStep>({ op: 'setAutostart', description: 'enable', payload: { autostart: 'true' } })),
    ).rejects.toThrow(StepPayloadError);
    await expect(run(handEdited<DomainStep>({ op: 'start', description: 'start', payload: { paused: 1 } }))).rejects.toThrow(
      'payload.paused must be a boolean',
    );
    await expect(run(handEdited<DomainStep>({ op: 'setMemory', description: 'mem', payload: { kib: 1024, live: 'yes' } }))).rejects.toThrow(
      'payload.live must be a boolean',
    );
  });

  it('refuses a malformed number or text instead of using a default', async () => {
    await expect(run(handEdited<DomainStep>({ op: 'shutdown', description: 'stop', payload: { timeoutMs: '60s' } }))).rejects.toThrow(
      'payload.timeoutMs must be a number',
    );
    await expect(run(handEdited<DomainStep>({ op: 'setMemory', description: 'mem', payload: { kib: '1024' } }))).rejects.toThrow(
      'payload.kib must be a number',
    );
    await expect(
      run(handEdited<DomainStep>({ op: 'setMetadata', description: 'title', payload: { type: 'title', value: 42 } })),
    ).rejects.toThrow('payload.value must be a string');
  });
});
