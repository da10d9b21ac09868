// Host interface procedures (remote_protocol.x numbers and struct layouts).
import { xdrVoid, type XdrCodec } from '../xdr.js';
import {
  defineProc,
  listAllArgs,
  listAllRet,
  nonnullInterface,
  nonnullString,
  REMOTE_INTERFACE_LIST_MAX,
  single,
  struct,
  xdrIntBool,
  xdrUint,
  type RemoteInterface,
} from './common.js';

export interface InterfaceArgs {
  iface: RemoteInterface;
}
export interface InterfaceFlagsArgs {
  iface: RemoteInterface;
  flags: number;
}
export interface InterfaceDefineArgs {
  xml: string;
  flags: number;
}

const ifaceArgs: XdrCodec<InterfaceArgs> = struct<InterfaceArgs>({ iface: nonnullInterface });
const ifaceFlagsArgs: XdrCodec<InterfaceFlagsArgs> = struct<InterfaceFlagsArgs>({ iface: nonnullInterface, flags: xdrUint });
const ifaceRet: XdrCodec<RemoteInterface> = single('iface', nonnullInterface);

export const INTERFACE_LOOKUP_BY_NAME = defineProc(
  'INTERFACE_LOOKUP_BY_NAME',
  128,
  single('name', nonnullString),
  ifaceRet,
  'high',
);
export const INTERFACE_LOOKUP_BY_MAC_STRING = defineProc(
  'INTERFACE_LOOKUP_BY_MAC_STRING',
  129,
  single('mac', nonnullString),
  ifaceRet,
  'high',
);
export const INTERFACE_GET_XML_DESC = defineProc('INTERFACE_GET_XML_DESC', 130, ifaceFlagsArgs, single('xml', nonnullString));
export const INTERFACE_DEFINE_XML = defineProc(
  'INTERFACE_DEFINE_XML',
  131,
  struct<InterfaceDefineArgs>({ xml: nonnullString, flags: xdrUint }),
  ifaceRet,
  'high',
);
export const INTERFACE_UNDEFINE = defineProc('INTERFACE_UNDEFINE', 132, ifaceArgs, xdrVoid, 'high');
export const INTERFACE_CREATE = defineProc('INTERFACE_CREATE', 133, ifaceFlagsArgs, xdrVoid);
export const INTERFACE_DESTROY = defineProc('INTERFACE_DESTROY', 134, ifaceFlagsArgs, xdrVoid, 'high');
export const INTERFACE_IS_ACTIVE = defineProc('INTERFACE_IS_ACTIVE', 156, ifaceArgs, single('active', xdrIntBool), 'high');
export const CONNECT_LIST_ALL_INTERFACES = defineProc(
  'CONNECT_LIST_ALL_INTERFACES',
  284,
  listAllArgs,
  listAllRet(nonnullInterface, REMOTE_INTERFACE_LIST_MAX),
  'high',
);

/** virInterfaceXMLFlags */
export const VIR_INTERFACE_XML_INACTIVE = 1;

/** virConnectListAllInterfacesFlags */
export const VIR_CONNECT_LIST_INTERFACES_INACTIVE = 1 << 0;
export const VIR_CONNECT_LIST_INTERFACES_ACTIVE = 1 << 1;
