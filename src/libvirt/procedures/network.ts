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
import * as C from '../generated/constants.js';
import * as P from '../generated/remote-procedures.js';

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

export const NETWORK_CREATE = defineProc('NETWORK_CREATE', P.REMOTE_PROC_NETWORK_CREATE, networkArgs, xdrVoid);
export const NETWORK_DEFINE_XML = defineProc('NETWORK_DEFINE_XML', P.REMOTE_PROC_NETWORK_DEFINE_XML, single('xml', nonnullString), netRet, 'high');
export const NETWORK_DESTROY = defineProc('NETWORK_DESTROY', P.REMOTE_PROC_NETWORK_DESTROY, networkArgs, xdrVoid, 'high');
export const NETWORK_GET_XML_DESC = defineProc(
  'NETWORK_GET_XML_DESC',
  P.REMOTE_PROC_NETWORK_GET_XML_DESC,
  struct<NetworkFlagsArgs>({ net: nonnullNetwork, flags: xdrUint }),
  single('xml', nonnullString),
  'high',
);
export const NETWORK_GET_AUTOSTART = defineProc('NETWORK_GET_AUTOSTART', P.REMOTE_PROC_NETWORK_GET_AUTOSTART, networkArgs, single('autostart', xdrIntBool), 'high');
export const NETWORK_GET_BRIDGE_NAME = defineProc('NETWORK_GET_BRIDGE_NAME', P.REMOTE_PROC_NETWORK_GET_BRIDGE_NAME, networkArgs, single('name', nonnullString), 'high');
export const NETWORK_LOOKUP_BY_NAME = defineProc('NETWORK_LOOKUP_BY_NAME', P.REMOTE_PROC_NETWORK_LOOKUP_BY_NAME, single('name', nonnullString), netRet, 'high');
export const NETWORK_LOOKUP_BY_UUID = defineProc('NETWORK_LOOKUP_BY_UUID', P.REMOTE_PROC_NETWORK_LOOKUP_BY_UUID, single('uuid', uuidCodec), netRet, 'high');
export const NETWORK_SET_AUTOSTART = defineProc(
  'NETWORK_SET_AUTOSTART',
  P.REMOTE_PROC_NETWORK_SET_AUTOSTART,
  struct<NetworkAutostartArgs>({ net: nonnullNetwork, autostart: xdrIntBool }),
  xdrVoid,
  'high',
);
export const NETWORK_UNDEFINE = defineProc('NETWORK_UNDEFINE', P.REMOTE_PROC_NETWORK_UNDEFINE, networkArgs, xdrVoid, 'high');
export const NETWORK_IS_ACTIVE = defineProc('NETWORK_IS_ACTIVE', P.REMOTE_PROC_NETWORK_IS_ACTIVE, networkArgs, single('active', xdrIntBool), 'high');
export const NETWORK_IS_PERSISTENT = defineProc(
  'NETWORK_IS_PERSISTENT',
  P.REMOTE_PROC_NETWORK_IS_PERSISTENT,
  networkArgs,
  single('persistent', xdrIntBool),
  'high',
);
export const CONNECT_LIST_ALL_NETWORKS = defineProc(
  'CONNECT_LIST_ALL_NETWORKS',
  P.REMOTE_PROC_CONNECT_LIST_ALL_NETWORKS,
  listAllArgs,
  listAllRet(nonnullNetwork, REMOTE_NETWORK_LIST_MAX),
  'high',
);
export const NETWORK_UPDATE = defineProc('NETWORK_UPDATE', P.REMOTE_PROC_NETWORK_UPDATE, networkUpdateArgs, xdrVoid, 'high');

// ---- flag and enum values from libvirt-network.h -------------------------------------------

/** virNetworkXMLFlags */
export const VIR_NETWORK_XML_INACTIVE = C.VIR_NETWORK_XML_INACTIVE;

/** virConnectListAllNetworksFlags */
export const VIR_CONNECT_LIST_NETWORKS_INACTIVE = C.VIR_CONNECT_LIST_NETWORKS_INACTIVE;
export const VIR_CONNECT_LIST_NETWORKS_ACTIVE = C.VIR_CONNECT_LIST_NETWORKS_ACTIVE;
export const VIR_CONNECT_LIST_NETWORKS_PERSISTENT = C.VIR_CONNECT_LIST_NETWORKS_PERSISTENT;
export const VIR_CONNECT_LIST_NETWORKS_TRANSIENT = C.VIR_CONNECT_LIST_NETWORKS_TRANSIENT;
export const VIR_CONNECT_LIST_NETWORKS_AUTOSTART = C.VIR_CONNECT_LIST_NETWORKS_AUTOSTART;
export const VIR_CONNECT_LIST_NETWORKS_NO_AUTOSTART = C.VIR_CONNECT_LIST_NETWORKS_NO_AUTOSTART;

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
export const VIR_NETWORK_UPDATE_AFFECT_CURRENT = C.VIR_NETWORK_UPDATE_AFFECT_CURRENT;
export const VIR_NETWORK_UPDATE_AFFECT_LIVE = C.VIR_NETWORK_UPDATE_AFFECT_LIVE;
export const VIR_NETWORK_UPDATE_AFFECT_CONFIG = C.VIR_NETWORK_UPDATE_AFFECT_CONFIG;
