// Virtual network procedures (remote_protocol.x numbers and struct layouts).
import { xdrVoid, type XdrCodec } from '../xdr.js';
import {
  defineProc,
  listAllArgs,
  listAllRet,
  nonnullNetwork,
  nonnullString,
  REMOTE_NETWORK_LIST_MAX,
  single,
  struct,
  uuidCodec,
  xdrInt,
  xdrIntBool,
  xdrUint,
  type RemoteNetwork,
} from './common.js';

export interface NetworkArgs {
  net: RemoteNetwork;
}
export interface NetworkFlagsArgs {
  net: RemoteNetwork;
  flags: number;
}
export interface NetworkAutostartArgs {
  net: RemoteNetwork;
  autostart: boolean;
}
/** remote_network_update_args: virNetworkUpdate's command/section/parentIndex/xml/flags. */
export interface NetworkUpdateArgs {
  net: RemoteNetwork;
  command: number;
  section: number;
  parentIndex: number;
  xml: string;
  flags: number;
}

const networkArgs: XdrCodec<NetworkArgs> = struct<NetworkArgs>({ net: nonnullNetwork });
const netRet: XdrCodec<RemoteNetwork> = single('net', nonnullNetwork);

export const networkUpdateArgs: XdrCodec<NetworkUpdateArgs> = struct<NetworkUpdateArgs>({
  net: nonnullNetwork,
  command: xdrUint,
  section: xdrUint,
  parentIndex: xdrInt,
  xml: nonnullString,
  flags: xdrUint,
});

export const NETWORK_CREATE = defineProc('NETWORK_CREATE', 39, networkArgs, xdrVoid);
export const NETWORK_DEFINE_XML = defineProc('NETWORK_DEFINE_XML', 41, single('xml', nonnullString), netRet, 'high');
export const NETWORK_DESTROY = defineProc('NETWORK_DESTROY', 42, networkArgs, xdrVoid, 'high');
export const NETWORK_GET_XML_DESC = defineProc(
  'NETWORK_GET_XML_DESC',
  43,
  struct<NetworkFlagsArgs>({ net: nonnullNetwork, flags: xdrUint }),
  single('xml', nonnullString),
  'high',
);
export const NETWORK_GET_AUTOSTART = defineProc('NETWORK_GET_AUTOSTART', 44, networkArgs, single('autostart', xdrIntBool), 'high');
export const NETWORK_GET_BRIDGE_NAME = defineProc('NETWORK_GET_BRIDGE_NAME', 45, networkArgs, single('name', nonnullString), 'high');
export const NETWORK_LOOKUP_BY_NAME = defineProc('NETWORK_LOOKUP_BY_NAME', 46, single('name', nonnullString), netRet, 'high');
export const NETWORK_LOOKUP_BY_UUID = defineProc('NETWORK_LOOKUP_BY_UUID', 47, single('uuid', uuidCodec), netRet, 'high');
export const NETWORK_SET_AUTOSTART = defineProc(
  'NETWORK_SET_AUTOSTART',
  48,
  struct<NetworkAutostartArgs>({ net: nonnullNetwork, autostart: xdrIntBool }),
  xdrVoid,
  'high',
);
export const NETWORK_UNDEFINE = defineProc('NETWORK_UNDEFINE', 49, networkArgs, xdrVoid, 'high');
export const NETWORK_IS_ACTIVE = defineProc('NETWORK_IS_ACTIVE', 152, networkArgs, single('active', xdrIntBool), 'high');
export const NETWORK_IS_PERSISTENT = defineProc(
  'NETWORK_IS_PERSISTENT',
  153,
  networkArgs,
  single('persistent', xdrIntBool),
  'high',
);
export const CONNECT_LIST_ALL_NETWORKS = defineProc(
  'CONNECT_LIST_ALL_NETWORKS',
  283,
  listAllArgs,
  listAllRet(nonnullNetwork, REMOTE_NETWORK_LIST_MAX),
  'high',
);
export const NETWORK_UPDATE = defineProc('NETWORK_UPDATE', 291, networkUpdateArgs, xdrVoid, 'high');

// ---- flag and enum values from libvirt-network.h -------------------------------------------

/** virNetworkXMLFlags */
export const VIR_NETWORK_XML_INACTIVE = 1;

/** virConnectListAllNetworksFlags */
export const VIR_CONNECT_LIST_NETWORKS_INACTIVE = 1 << 0;
export const VIR_CONNECT_LIST_NETWORKS_ACTIVE = 1 << 1;
export const VIR_CONNECT_LIST_NETWORKS_PERSISTENT = 1 << 2;
export const VIR_CONNECT_LIST_NETWORKS_TRANSIENT = 1 << 3;
export const VIR_CONNECT_LIST_NETWORKS_AUTOSTART = 1 << 4;
export const VIR_CONNECT_LIST_NETWORKS_NO_AUTOSTART = 1 << 5;

/** virNetworkUpdateCommand, indexed by value. */
export const NETWORK_UPDATE_COMMANDS = ['none', 'modify', 'delete', 'add-last', 'add-first'] as const;
export type NetworkUpdateCommand = (typeof NETWORK_UPDATE_COMMANDS)[number];

/** virNetworkUpdateSection, indexed by value. */
export const NETWORK_UPDATE_SECTIONS = [
  'none',
  'bridge',
  'domain',
  'ip',
  'ip-dhcp-host',
  'ip-dhcp-range',
  'forward',
  'forward-interface',
  'forward-pf',
  'portgroup',
  'dns-host',
  'dns-txt',
  'dns-srv',
] as const;
export type NetworkUpdateSection = (typeof NETWORK_UPDATE_SECTIONS)[number];

/** virNetworkUpdateFlags */
export const VIR_NETWORK_UPDATE_AFFECT_CURRENT = 0;
export const VIR_NETWORK_UPDATE_AFFECT_LIVE = 1;
export const VIR_NETWORK_UPDATE_AFFECT_CONFIG = 2;
