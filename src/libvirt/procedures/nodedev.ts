// Node device procedures (remote_protocol.x numbers and struct layouts).
import { xdrVoid, type XdrCodec } from '../xdr.js';
import {
  arrayOf,
  defineProc,
  listAllArgs,
  listAllRet,
  nonnullNodeDevice,
  nonnullString,
  remoteString,
  REMOTE_NODE_DEVICE_LIST_MAX,
  single,
  struct,
  xdrInt,
  xdrUint,
  type RemoteNodeDevice,
} from './common.js';
import * as C from '../generated/constants.js';
import * as P from '../generated/remote-procedures.js';

/** REMOTE_NODE_DEVICE_CAPS_LIST_MAX */
const REMOTE_NODE_DEVICE_CAPS_LIST_MAX = C.REMOTE_NODE_DEVICE_CAPS_LIST_MAX;

export interface NodeNumOfDevicesArgs {
  /** Capability name filter ("pci", "net", ...) or null for all. */
  cap: string | null;
  flags: number;
}
export interface NodeListDevicesArgs {
  cap: string | null;
  maxnames: number;
  flags: number;
}
export interface NodeDeviceNameFlagsArgs {
  name: string;
  flags: number;
}
export interface NodeDeviceListCapsArgs {
  name: string;
  maxnames: number;
}
export interface NodeDeviceDetachFlagsArgs {
  name: string;
  /** Host driver to bind the device to ("vfio", ...); null lets libvirt choose. */
  driverName: string | null;
  flags: number;
}

const nameArgs: XdrCodec<string> = single('name', nonnullString);
const namesRet = (max: number): XdrCodec<string[]> => single('names', arrayOf(nonnullString, max));

export const nodeDeviceDetachFlagsArgs: XdrCodec<NodeDeviceDetachFlagsArgs> = struct<NodeDeviceDetachFlagsArgs>({
  name: nonnullString,
  driverName: remoteString,
  flags: xdrUint,
});

export const NODE_NUM_OF_DEVICES = defineProc(
  'NODE_NUM_OF_DEVICES',
  P.REMOTE_PROC_NODE_NUM_OF_DEVICES,
  struct<NodeNumOfDevicesArgs>({ cap: remoteString, flags: xdrUint }),
  single('num', xdrInt),
  'high',
);
export const NODE_LIST_DEVICES = defineProc(
  'NODE_LIST_DEVICES',
  P.REMOTE_PROC_NODE_LIST_DEVICES,
  struct<NodeListDevicesArgs>({ cap: remoteString, maxnames: xdrInt, flags: xdrUint }),
  namesRet(REMOTE_NODE_DEVICE_LIST_MAX),
  'high',
);
export const NODE_DEVICE_LOOKUP_BY_NAME = defineProc(
  'NODE_DEVICE_LOOKUP_BY_NAME',
  P.REMOTE_PROC_NODE_DEVICE_LOOKUP_BY_NAME,
  nameArgs,
  single('dev', nonnullNodeDevice),
  'high',
);
export const NODE_DEVICE_GET_XML_DESC = defineProc(
  'NODE_DEVICE_GET_XML_DESC',
  P.REMOTE_PROC_NODE_DEVICE_GET_XML_DESC,
  struct<NodeDeviceNameFlagsArgs>({ name: nonnullString, flags: xdrUint }),
  single('xml', nonnullString),
);
export const NODE_DEVICE_GET_PARENT = defineProc(
  'NODE_DEVICE_GET_PARENT',
  P.REMOTE_PROC_NODE_DEVICE_GET_PARENT,
  nameArgs,
  single('parentName', remoteString),
  'high',
);
export const NODE_DEVICE_NUM_OF_CAPS = defineProc('NODE_DEVICE_NUM_OF_CAPS', P.REMOTE_PROC_NODE_DEVICE_NUM_OF_CAPS, nameArgs, single('num', xdrInt), 'high');
export const NODE_DEVICE_LIST_CAPS = defineProc(
  'NODE_DEVICE_LIST_CAPS',
  P.REMOTE_PROC_NODE_DEVICE_LIST_CAPS,
  struct<NodeDeviceListCapsArgs>({ name: nonnullString, maxnames: xdrInt }),
  namesRet(REMOTE_NODE_DEVICE_CAPS_LIST_MAX),
  'high',
);
/** The old spelling "DETTACH" is libvirt's. */
export const NODE_DEVICE_DETTACH = defineProc('NODE_DEVICE_DETTACH', P.REMOTE_PROC_NODE_DEVICE_DETTACH, nameArgs, xdrVoid);
export const NODE_DEVICE_RE_ATTACH = defineProc('NODE_DEVICE_RE_ATTACH', P.REMOTE_PROC_NODE_DEVICE_RE_ATTACH, nameArgs, xdrVoid);
export const NODE_DEVICE_RESET = defineProc('NODE_DEVICE_RESET', P.REMOTE_PROC_NODE_DEVICE_RESET, nameArgs, xdrVoid);
export const CONNECT_LIST_ALL_NODE_DEVICES = defineProc<{ needResults: boolean; flags: number }, { items: RemoteNodeDevice[]; count: number }>(
  'CONNECT_LIST_ALL_NODE_DEVICES',
  285,
  listAllArgs,
  listAllRet(nonnullNodeDevice, REMOTE_NODE_DEVICE_LIST_MAX),
  'high',
);
export const NODE_DEVICE_DETACH_FLAGS = defineProc('NODE_DEVICE_DETACH_FLAGS', P.REMOTE_PROC_NODE_DEVICE_DETACH_FLAGS, nodeDeviceDetachFlagsArgs, xdrVoid);

/**
 * virConnectListAllNodeDeviceFlags capability filters, by the capability names libvirt uses in
 * node device XML. ACTIVE/INACTIVE (bits 30/31) are left out on purpose: the test driver
 * rejects them (see LIBVIRT-FACTS).
 */
export const NODE_DEVICE_CAP_FLAGS = {
  system: 1 << 0,
  pci: 1 << 1,
  usb_device: 1 << 2,
  usb: 1 << 3,
  net: 1 << 4,
  scsi_host: 1 << 5,
  scsi_target: 1 << 6,
  scsi: 1 << 7,
  storage: 1 << 8,
  fc_host: 1 << 9,
  vports: 1 << 10,
  scsi_generic: 1 << 11,
  drm: 1 << 12,
  mdev_types: 1 << 13,
  mdev: 1 << 14,
  ccw: 1 << 15,
  css: 1 << 16,
  vdpa: 1 << 17,
  ap_card: 1 << 18,
  ap_queue: 1 << 19,
  ap_matrix: 1 << 20,
  vpd: 1 << 21,
} as const;
export type NodeDeviceCap = keyof typeof NODE_DEVICE_CAP_FLAGS;
