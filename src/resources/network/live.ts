// I/O: reading networks from libvirt and carrying out planned steps.
import type { LibvirtClient, NetworkRef } from '../../libvirt/client.js';
import { VIR_ERR_NO_NETWORK } from '../../libvirt/errors.js';
import { StepRefs } from '../common/step-refs.js';
import { readAllWithFacts, readOneWithFacts, type LifecycleKindReader } from '../common/list-facts.js';
import { NETWORK_UPDATE_COMMANDS, NETWORK_UPDATE_SECTIONS, type NetworkUpdateCommand, type NetworkUpdateSection } from '../../libvirt/enum-names.js';
import { kindKey } from '../../manifests/identity.js';
import type { LiveResource, ResourceChange, Step } from '../types.js';
import { inactiveXmlOrLive } from '../common/live-xml.js';
import { payloadBoolean, payloadNumber, payloadString, unknownStep } from '../common/payload.js';
import { networkFromXml } from './from-xml.js';

function networkReader(client: LibvirtClient): LifecycleKindReader<NetworkRef, LiveResource<'Network'>> {
  return {
    list: (filter) => client.listNetworks(filter),
    lookup: (name) => client.lookupNetwork(name),
    facts: {
      active: (ref) => client.isNetworkActive(ref),
      persistent: (ref) => client.isNetworkPersistent(ref),
      autostart: (ref) => client.getNetworkAutostart(ref),
    },
    read: async (ref, { active, persistent, autostart }) => {
      // An active persistent network also runs with a config of its own (the one it started
      // with): read both, so a redefine not yet running shows as restart pending.
      const xml = await inactiveXmlOrLive((inactive) => client.getNetworkXml(ref, { inactive }));
      const runningXml = active && persistent && client.keepsNetworkRunningConfig() ? await client.getNetworkXml(ref) : undefined;
      const live: LiveResource<'Network'> = {
        key: kindKey('Network', ref.name),
        kind: 'Network',
        name: ref.name,
        xml,
        spec: networkFromXml(xml, { active, autostart }),
        active,
        persistent,
        markedOwned: false,
      };
      if (runningXml !== undefined) live.running = networkFromXml(runningXml, { active, autostart });
      return live;
    },
    goneCode: VIR_ERR_NO_NETWORK,
  };
}

export function readNetworks(client: LibvirtClient): Promise<Array<LiveResource<'Network'>>> {
  return readAllWithFacts(networkReader(client));
}

/** One network by name, undefined when there is none. */
export function readNetwork(client: LibvirtClient, name: string): Promise<LiveResource<'Network'> | undefined> {
  return readOneWithFacts(networkReader(client), name);
}

function updateSection(step: Step): NetworkUpdateSection {
  const section = payloadString(step, 'section');
  if (!(NETWORK_UPDATE_SECTIONS as readonly string[]).includes(section)) throw new Error(`networkUpdate: unknown section ${section}`);
  return section as NetworkUpdateSection;
}

function updateCommand(step: Step): NetworkUpdateCommand {
  const command = payloadString(step, 'command');
  if (!(NETWORK_UPDATE_COMMANDS as readonly string[]).includes(command)) throw new Error(`networkUpdate: unknown command ${command}`);
  return command as NetworkUpdateCommand;
}

/** Handles of networks defined by the change being executed, for its later steps. */
const networkRefs = new StepRefs<NetworkRef>();

export async function executeNetworkStep(step: Step, change: ResourceChange<'Network'>, client: LibvirtClient): Promise<void> {
  if (step.op === 'define') {
    networkRefs.remember(change, await client.defineNetwork(payloadString(step, 'xml')));
    return;
  }
  const ref = await networkRefs.get(change, () => client.getNetwork(payloadString(step, 'name')));
  switch (step.op) {
    case 'start':
      return client.startNetwork(ref);
    case 'destroy':
      return client.destroyNetwork(ref);
    case 'undefine':
      networkRefs.forget(change);
      return client.undefineNetwork(ref);
    case 'setAutostart':
      return client.setNetworkAutostart(ref, payloadBoolean(step, 'autostart'));
    case 'networkUpdate':
      return client.updateNetwork(
        ref,
        {
          command: updateCommand(step),
          section: updateSection(step),
          xml: payloadString(step, 'xml'),
          parentIndex: payloadNumber(step, 'parentIndex'),
        },
        { live: payloadBoolean(step, 'affectLive'), config: payloadBoolean(step, 'affectConfig') },
      );
    default:
      throw unknownStep('Network', step);
  }
}
