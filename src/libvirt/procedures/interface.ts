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
import * as C from '../generated/constants.js';
import * as P from '../generated/remote-procedures.js';

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
  P.REMOTE_PROC_INTERFACE_LOOKUP_BY_NAME,
  single('name', nonnullString),
  ifaceRet,
  'high',
);
export const INTERFACE_LOOKUP_BY_MAC_STRING = defineProc(
  'INTERFACE_LOOKUP_BY_MAC_STRING',
  P.REMOTE_PROC_INTERFACE_LOOKUP_BY_MAC_STRING,
  single('mac', nonnullString),
  ifaceRet,
  'high',
);
export const INTERFACE_GET_XML_DESC = defineProc('INTERFACE_GET_XML_DESC', P.REMOTE_PROC_INTERFACE_GET_XML_DESC, ifaceFlagsArgs, single('xml', nonnullString));
export const INTERFACE_DEFINE_XML = defineProc(
  'INTERFACE_DEFINE_XML',
  P.REMOTE_PROC_INTERFACE_DEFINE_XML,
  struct<InterfaceDefineArgs>({ xml: nonnullString, flags: xdrUint }),
  ifaceRet,
  'high',
);
export const INTERFACE_UNDEFINE = defineProc('INTERFACE_UNDEFINE', P.REMOTE_PROC_INTERFACE_UNDEFINE, ifaceArgs, xdrVoid, 'high');
export const INTERFACE_CREATE = defineProc('INTERFACE_CREATE', P.REMOTE_PROC_INTERFACE_CREATE, ifaceFlagsArgs, xdrVoid);
export const INTERFACE_DESTROY = defineProc('INTERFACE_DESTROY', P.REMOTE_PROC_INTERFACE_DESTROY, ifaceFlagsArgs, xdrVoid, 'high');
export const INTERFACE_IS_ACTIVE = defineProc('INTERFACE_IS_ACTIVE', P.REMOTE_PROC_INTERFACE_IS_ACTIVE, ifaceArgs, single('active', xdrIntBool), 'high');
export const CONNECT_LIST_ALL_INTERFACES = defineProc(
  'CONNECT_LIST_ALL_INTERFACES',
  P.REMOTE_PROC_CONNECT_LIST_ALL_INTERFACES,
  listAllArgs,
  listAllRet(nonnullInterface, REMOTE_INTERFACE_LIST_MAX),
  'high',
);

/** virInterfaceXMLFlags */
export const VIR_INTERFACE_XML_INACTIVE = C.VIR_INTERFACE_XML_INACTIVE;

/** virConnectListAllInterfacesFlags */
export const VIR_CONNECT_LIST_INTERFACES_INACTIVE = C.VIR_CONNECT_LIST_INTERFACES_INACTIVE;
export const VIR_CONNECT_LIST_INTERFACES_ACTIVE = C.VIR_CONNECT_LIST_INTERFACES_ACTIVE;
