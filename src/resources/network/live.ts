// I/O: the libvirt calls of networks, for the persistent-object template (common/persistent-object.ts),
// and the one step only networks have: virNetworkUpdate.
import type { LibvirtClient, NetworkRef } from '../../libvirt/client.js';
import { VIR_ERR_NO_NETWORK } from '../../libvirt/errors.js';
import {
  NETWORK_UPDATE_COMMANDS,
  NETWORK_UPDATE_SECTIONS,
  type NetworkUpdateCommand,
  type NetworkUpdateSection,
} from '../../libvirt/enum-names.js';
import type { LiveResource, Step } from '../types.js';
import { objectStepExecutor, readObject, readObjects, type ObjectReadAdapter } from '../common/persistent-object.js';
import { payloadBoolean, payloadNumber, payloadString, StepPayloadError } from '../common/payload.js';
import { networkFromXml } from './from-xml.js';

const networkReading: ObjectReadAdapter<'Network', NetworkRef> = {
  kind: 'Network',
  list: (client, filter) => client.listNetworks(filter),
  lookup: (client, name) => client.lookupNetwork(name),
  facts: (client) => ({
    active: (ref) => client.isNetworkActive(ref),
    persistent: (ref) => client.isNetworkPersistent(ref),
    autostart: (ref) => client.getNetworkAutostart(ref),
  }),
  xml: (client, ref, inactive) => client.getNetworkXml(ref, { inactive }),
  fromXml: networkFromXml,
  // An active persistent network also runs with a config of its own (the one it started
  // with): read both, so a redefine not yet running shows as restart pending.
  withRunning: async (client, ref, { active, persistent, autostart }, live) =>
    active && persistent && client.keepsNetworkRunningConfig()
      ? { ...live, running: networkFromXml(await client.getNetworkXml(ref), { active, autostart }) }
      : live,
  goneCode: VIR_ERR_NO_NETWORK,
};

export function readNetworks(client: LibvirtClient): Promise<Array<LiveResource<'Network'>>> {
  return readObjects(networkReading, client);
}

/** One network by name, undefined when there is none. */
export function readNetwork(client: LibvirtClient, name: string): Promise<LiveResource<'Network'> | undefined> {
  return readObject(networkReading, client, name);
}

function updateSection(step: Step): NetworkUpdateSection {
  const section = payloadString(step, 'section');
  if (!(NETWORK_UPDATE_SECTIONS as readonly string[]).includes(section))
    throw new StepPayloadError(`networkUpdate: unknown section ${section}`);
  return section as NetworkUpdateSection;
}

function updateCommand(step: Step): NetworkUpdateCommand {
  const command = payloadString(step, 'command');
  if (!(NETWORK_UPDATE_COMMANDS as readonly string[]).includes(command))
    throw new StepPayloadError(`networkUpdate: unknown command ${command}`);
  return command as NetworkUpdateCommand;
}

export const executeNetworkStep = objectStepExecutor<'Network', NetworkRef>({
  kind: 'Network',
  calls: (client) => ({
    define: (xml) => client.defineNetwork(xml),
    find: (step) => client.getNetwork(payloadString(step, 'name')),
    start: (ref) => client.startNetwork(ref),
    destroy: (ref) => client.destroyNetwork(ref),
    undefine: (ref) => client.undefineNetwork(ref),
    setAutostart: (ref, on) => client.setNetworkAutostart(ref, on),
  }),
  extraSteps: {
    networkUpdate: async (step, { client, object }) => {
      const ref = await object();
      if (ref === null) throw new StepPayloadError(`step ${step.op}: no network to update`);
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
    },
  },
});
