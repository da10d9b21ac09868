// Our names for members of libvirt enums the façade turns into string unions (states, volume
// types, network-update commands, event types, node device capabilities). The names are ours
// (they follow libvirt's XML and virsh spellings); every value comes from the generated headers,
// so only the choice of name is hand-written here.
import * as C from './generated/constants.js';

/** A libvirt enum seen through our names: values by name, and names by value. */
export interface EnumNames<N extends string> {
  /** Every name, in the order of the table. */
  readonly names: readonly N[];
  readonly value: Readonly<Record<N, number>>;
  /** The name of a value; 'unknown' for a value newer than this table. */
  name(value: number): N | 'unknown';
}

function enumNames<N extends string>(value: Readonly<Record<N, number>>): EnumNames<N> {
  const names = Object.keys(value) as N[];
  const byValue = new Map<number, N>(names.map((n) => [value[n], n]));
  return { names, value, name: (v) => byValue.get(v) ?? 'unknown' };
}

/** virDomainState */
export const DOMAIN_STATE = enumNames({
  nostate: C.VIR_DOMAIN_NOSTATE,
  running: C.VIR_DOMAIN_RUNNING,
  blocked: C.VIR_DOMAIN_BLOCKED,
  paused: C.VIR_DOMAIN_PAUSED,
  shutdown: C.VIR_DOMAIN_SHUTDOWN,
  shutoff: C.VIR_DOMAIN_SHUTOFF,
  crashed: C.VIR_DOMAIN_CRASHED,
  pmsuspended: C.VIR_DOMAIN_PMSUSPENDED,
});
export type DomainState = ReturnType<typeof DOMAIN_STATE.name>;

/** virStoragePoolState */
export const STORAGE_POOL_STATE = enumNames({
  inactive: C.VIR_STORAGE_POOL_INACTIVE,
  building: C.VIR_STORAGE_POOL_BUILDING,
  running: C.VIR_STORAGE_POOL_RUNNING,
  degraded: C.VIR_STORAGE_POOL_DEGRADED,
  inaccessible: C.VIR_STORAGE_POOL_INACCESSIBLE,
});
export type StoragePoolState = ReturnType<typeof STORAGE_POOL_STATE.name>;

/** virStorageVolType */
export const STORAGE_VOL_TYPE = enumNames({
  file: C.VIR_STORAGE_VOL_FILE,
  block: C.VIR_STORAGE_VOL_BLOCK,
  dir: C.VIR_STORAGE_VOL_DIR,
  network: C.VIR_STORAGE_VOL_NETWORK,
  netdir: C.VIR_STORAGE_VOL_NETDIR,
  ploop: C.VIR_STORAGE_VOL_PLOOP,
});
export type StorageVolType = ReturnType<typeof STORAGE_VOL_TYPE.name>;

/** virNetworkUpdateCommand, named as `virsh net-update` names them. */
export const NETWORK_UPDATE_COMMAND = enumNames({
  none: C.VIR_NETWORK_UPDATE_COMMAND_NONE,
  modify: C.VIR_NETWORK_UPDATE_COMMAND_MODIFY,
  delete: C.VIR_NETWORK_UPDATE_COMMAND_DELETE,
  'add-last': C.VIR_NETWORK_UPDATE_COMMAND_ADD_LAST,
  'add-first': C.VIR_NETWORK_UPDATE_COMMAND_ADD_FIRST,
});
export type NetworkUpdateCommand = (typeof NETWORK_UPDATE_COMMAND.names)[number];
export const NETWORK_UPDATE_COMMANDS: readonly NetworkUpdateCommand[] = NETWORK_UPDATE_COMMAND.names;

/** virNetworkUpdateSection, named as `virsh net-update` names them. */
export const NETWORK_UPDATE_SECTION = enumNames({
  none: C.VIR_NETWORK_SECTION_NONE,
  bridge: C.VIR_NETWORK_SECTION_BRIDGE,
  domain: C.VIR_NETWORK_SECTION_DOMAIN,
  ip: C.VIR_NETWORK_SECTION_IP,
  'ip-dhcp-host': C.VIR_NETWORK_SECTION_IP_DHCP_HOST,
  'ip-dhcp-range': C.VIR_NETWORK_SECTION_IP_DHCP_RANGE,
  forward: C.VIR_NETWORK_SECTION_FORWARD,
  'forward-interface': C.VIR_NETWORK_SECTION_FORWARD_INTERFACE,
  'forward-pf': C.VIR_NETWORK_SECTION_FORWARD_PF,
  portgroup: C.VIR_NETWORK_SECTION_PORTGROUP,
  'dns-host': C.VIR_NETWORK_SECTION_DNS_HOST,
  'dns-txt': C.VIR_NETWORK_SECTION_DNS_TXT,
  'dns-srv': C.VIR_NETWORK_SECTION_DNS_SRV,
});
export type NetworkUpdateSection = (typeof NETWORK_UPDATE_SECTION.names)[number];
export const NETWORK_UPDATE_SECTIONS: readonly NetworkUpdateSection[] = NETWORK_UPDATE_SECTION.names;

/** virDomainEventType */
export const DOMAIN_EVENT = enumNames({
  defined: C.VIR_DOMAIN_EVENT_DEFINED,
  undefined: C.VIR_DOMAIN_EVENT_UNDEFINED,
  started: C.VIR_DOMAIN_EVENT_STARTED,
  suspended: C.VIR_DOMAIN_EVENT_SUSPENDED,
  resumed: C.VIR_DOMAIN_EVENT_RESUMED,
  stopped: C.VIR_DOMAIN_EVENT_STOPPED,
  shutdown: C.VIR_DOMAIN_EVENT_SHUTDOWN,
  pmsuspended: C.VIR_DOMAIN_EVENT_PMSUSPENDED,
  crashed: C.VIR_DOMAIN_EVENT_CRASHED,
});
/** virNetworkEventLifecycleType */
export const NETWORK_EVENT = enumNames({
  defined: C.VIR_NETWORK_EVENT_DEFINED,
  undefined: C.VIR_NETWORK_EVENT_UNDEFINED,
  started: C.VIR_NETWORK_EVENT_STARTED,
  stopped: C.VIR_NETWORK_EVENT_STOPPED,
});
/** virStoragePoolEventLifecycleType */
export const STORAGE_POOL_EVENT = enumNames({
  defined: C.VIR_STORAGE_POOL_EVENT_DEFINED,
  undefined: C.VIR_STORAGE_POOL_EVENT_UNDEFINED,
  started: C.VIR_STORAGE_POOL_EVENT_STARTED,
  stopped: C.VIR_STORAGE_POOL_EVENT_STOPPED,
  created: C.VIR_STORAGE_POOL_EVENT_CREATED,
  deleted: C.VIR_STORAGE_POOL_EVENT_DELETED,
});
/** virNodeDeviceEventLifecycleType */
export const NODE_DEVICE_EVENT = enumNames({
  created: C.VIR_NODE_DEVICE_EVENT_CREATED,
  deleted: C.VIR_NODE_DEVICE_EVENT_DELETED,
  defined: C.VIR_NODE_DEVICE_EVENT_DEFINED,
  undefined: C.VIR_NODE_DEVICE_EVENT_UNDEFINED,
});

/**
 * virConnectListAllNodeDeviceFlags capability filters, by the capability names libvirt uses in
 * node device XML. ACTIVE/INACTIVE (bits 30/31) are left out on purpose: the test driver
 * rejects them (see LIBVIRT-FACTS).
 */
export const NODE_DEVICE_CAP_FLAGS = {
  system: C.VIR_CONNECT_LIST_NODE_DEVICES_CAP_SYSTEM,
  pci: C.VIR_CONNECT_LIST_NODE_DEVICES_CAP_PCI_DEV,
  usb_device: C.VIR_CONNECT_LIST_NODE_DEVICES_CAP_USB_DEV,
  usb: C.VIR_CONNECT_LIST_NODE_DEVICES_CAP_USB_INTERFACE,
  net: C.VIR_CONNECT_LIST_NODE_DEVICES_CAP_NET,
  scsi_host: C.VIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI_HOST,
  scsi_target: C.VIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI_TARGET,
  scsi: C.VIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI,
  storage: C.VIR_CONNECT_LIST_NODE_DEVICES_CAP_STORAGE,
  fc_host: C.VIR_CONNECT_LIST_NODE_DEVICES_CAP_FC_HOST,
  vports: C.VIR_CONNECT_LIST_NODE_DEVICES_CAP_VPORTS,
  scsi_generic: C.VIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI_GENERIC,
  drm: C.VIR_CONNECT_LIST_NODE_DEVICES_CAP_DRM,
  mdev_types: C.VIR_CONNECT_LIST_NODE_DEVICES_CAP_MDEV_TYPES,
  mdev: C.VIR_CONNECT_LIST_NODE_DEVICES_CAP_MDEV,
  ccw: C.VIR_CONNECT_LIST_NODE_DEVICES_CAP_CCW_DEV,
  css: C.VIR_CONNECT_LIST_NODE_DEVICES_CAP_CSS_DEV,
  vdpa: C.VIR_CONNECT_LIST_NODE_DEVICES_CAP_VDPA,
  ap_card: C.VIR_CONNECT_LIST_NODE_DEVICES_CAP_AP_CARD,
  ap_queue: C.VIR_CONNECT_LIST_NODE_DEVICES_CAP_AP_QUEUE,
  ap_matrix: C.VIR_CONNECT_LIST_NODE_DEVICES_CAP_AP_MATRIX,
  vpd: C.VIR_CONNECT_LIST_NODE_DEVICES_CAP_VPD,
} as const;
export type NodeDeviceCap = keyof typeof NODE_DEVICE_CAP_FLAGS;
