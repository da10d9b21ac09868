// I/O: reading networks from libvirt and carrying out planned steps.
import type { LibvirtClient, NetworkRef } from '../../libvirt/client.js';
import { VIR_ERR_NO_NETWORK } from '../../libvirt/errors.js';
import { mapBounded, READ_CONCURRENCY, unlessGone } from '../common/bounded.js';
import { StepRefs } from '../common/step-refs.js';
import { lifecycleFacts, type LifecycleFacts } from '../common/list-facts.js';
import { NETWORK_UPDATE_COMMANDS, NETWORK_UPDATE_SECTIONS, type NetworkUpdateCommand, type NetworkUpdateSection } from '../../libvirt/procedures/network.js';
import { kindKey } from '../../manifests/identity.js';
import type { LiveResource, ResourceChange, Step } from '../types.js';
import { inactiveXmlOrLive } from '../common/live-xml.js';
import { payloadBoolean, payloadNumber, payloadString, unknownStep } from '../common/payload.js';
import { networkFromXml } from './from-xml.js';

export async function readNetworks(client: LibvirtClient): Promise<Array<LiveResource<'Network'>>> {
  const [refs, factsOf] = await Promise.all([
    client.listNetworks(),
    lifecycleFacts((filter) => client.listNetworks(filter), {
      active: (ref) => client.isNetworkActive(ref),
      persistent: (ref) => client.isNetworkPersistent(ref),
      autostart: (ref) => client.getNetworkAutostart(ref),
    }),
  ]);
  return mapBounded(refs, READ_CONCURRENCY, (ref) => unlessGone(readOne(client, ref, factsOf), VIR_ERR_NO_NETWORK));
}

/** One network by name, undefined when there is none. */
export async function readNetwork(client: LibvirtClient, name: string): Promise<LiveResource<'Network'> | undefined> {
  const ref = await client.lookupNetwork(name);
  if (!ref) return undefined;
  const factsOf = async (r: NetworkRef): Promise<LifecycleFacts> => {
    const [active, persistent, autostart] = await Promise.all([client.isNetworkActive(r), client.isNetworkPersistent(r), client.getNetworkAutostart(r)]);
    return { active, persistent, autostart };
  };
  return unlessGone(readOne(client, ref, factsOf), VIR_ERR_NO_NETWORK);
}

async function readOne(client: LibvirtClient, ref: NetworkRef, factsOf: (ref: NetworkRef) => Promise<LifecycleFacts>): Promise<LiveResource<'Network'>> {
  const [xml, { active, persistent, autostart }] = await Promise.all([inactiveXmlOrLive((inactive) => client.getNetworkXml(ref, { inactive })), factsOf(ref)]);
  return {
    key: kindKey('Network', ref.name),
    kind: 'Network',
    name: ref.name,
    xml,
    spec: networkFromXml(xml, { active, autostart }),
    active,
    persistent,
    markedOwned: false,
  };
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
