// Domain procedures (remote_protocol.x numbers and struct layouts).
import { xdrVoid, type XdrCodec } from '../xdr.js';
import {
  defineProc,
  listAllArgs,
  listAllRet,
  nonnullDomain,
  nonnullString,
  remoteString,
  REMOTE_DOMAIN_LIST_MAX,
  single,
  struct,
  uuidCodec,
  xdrInt,
  xdrIntBool,
  xdrUchar,
  xdrUhyper,
  xdrUint,
  xdrUshort,
  type RemoteDomain,
} from './common.js';

export interface DomainArgs {
  dom: RemoteDomain;
}
export interface DomainFlagsArgs {
  dom: RemoteDomain;
  flags: number;
}
export interface DomainXmlFlagsArgs {
  dom: RemoteDomain;
  xml: string;
  flags: number;
}
export interface DomainAutostartArgs {
  dom: RemoteDomain;
  autostart: boolean;
}
export interface DomainSetMetadataArgs {
  dom: RemoteDomain;
  /** virDomainMetadataType: 0 description, 1 title, 2 element. */
  type: number;
  /** null removes the metadata. */
  metadata: string | null;
  /** XML namespace prefix for element metadata. */
  key: string | null;
  /** XML namespace URI for element metadata. */
  uri: string | null;
  flags: number;
}
export interface DomainGetMetadataArgs {
  dom: RemoteDomain;
  type: number;
  uri: string | null;
  flags: number;
}
export interface DomainStateRet {
  /** virDomainState */
  state: number;
  /** A per-state reason enum (virDomainRunningReason, virDomainShutoffReason, ...). */
  reason: number;
}
export interface DomainInfoRet {
  state: number;
  /** KiB */
  maxMem: bigint;
  /** KiB */
  memory: bigint;
  nrVirtCpu: number;
  /** nanoseconds */
  cpuTime: bigint;
}
export interface DefineXmlFlagsArgs {
  xml: string;
  flags: number;
}

const domainArgs: XdrCodec<DomainArgs> = struct<DomainArgs>({ dom: nonnullDomain });
const domainFlagsArgs: XdrCodec<DomainFlagsArgs> = struct<DomainFlagsArgs>({ dom: nonnullDomain, flags: xdrUint });
const domainXmlFlagsArgs: XdrCodec<DomainXmlFlagsArgs> = struct<DomainXmlFlagsArgs>({
  dom: nonnullDomain,
  xml: nonnullString,
  flags: xdrUint,
});
const domRet: XdrCodec<RemoteDomain> = single('dom', nonnullDomain);

export const domainSetMetadataArgs: XdrCodec<DomainSetMetadataArgs> = struct<DomainSetMetadataArgs>({
  dom: nonnullDomain,
  type: xdrInt,
  metadata: remoteString,
  key: remoteString,
  uri: remoteString,
  flags: xdrUint,
});
export const domainGetMetadataArgs: XdrCodec<DomainGetMetadataArgs> = struct<DomainGetMetadataArgs>({
  dom: nonnullDomain,
  type: xdrInt,
  uri: remoteString,
  flags: xdrUint,
});
export const domainGetInfoRet: XdrCodec<DomainInfoRet> = struct<DomainInfoRet>({
  state: xdrUchar,
  maxMem: xdrUhyper,
  memory: xdrUhyper,
  nrVirtCpu: xdrUshort,
  cpuTime: xdrUhyper,
});

export const DOMAIN_ATTACH_DEVICE_FLAGS = defineProc('DOMAIN_ATTACH_DEVICE_FLAGS', 160, domainXmlFlagsArgs, xdrVoid);
export const DOMAIN_CREATE = defineProc('DOMAIN_CREATE', 9, domainArgs, xdrVoid);
export const DOMAIN_DESTROY = defineProc('DOMAIN_DESTROY', 12, domainArgs, xdrVoid, 'high');
export const DOMAIN_GET_XML_DESC = defineProc('DOMAIN_GET_XML_DESC', 14, domainFlagsArgs, single('xml', nonnullString));
export const DOMAIN_GET_AUTOSTART = defineProc('DOMAIN_GET_AUTOSTART', 15, domainArgs, single('autostart', xdrIntBool), 'high');
export const DOMAIN_GET_INFO = defineProc('DOMAIN_GET_INFO', 16, domainArgs, domainGetInfoRet);
export const DOMAIN_LOOKUP_BY_NAME = defineProc(
  'DOMAIN_LOOKUP_BY_NAME',
  23,
  single('name', nonnullString),
  domRet,
  'high',
);
export const DOMAIN_LOOKUP_BY_UUID = defineProc('DOMAIN_LOOKUP_BY_UUID', 24, single('uuid', uuidCodec), domRet, 'high');
export const DOMAIN_REBOOT = defineProc('DOMAIN_REBOOT', 27, domainFlagsArgs, xdrVoid);
export const DOMAIN_RESUME = defineProc('DOMAIN_RESUME', 28, domainArgs, xdrVoid);
export const DOMAIN_SET_AUTOSTART = defineProc(
  'DOMAIN_SET_AUTOSTART',
  29,
  struct<DomainAutostartArgs>({ dom: nonnullDomain, autostart: xdrIntBool }),
  xdrVoid,
  'high',
);
export const DOMAIN_SHUTDOWN = defineProc('DOMAIN_SHUTDOWN', 33, domainArgs, xdrVoid);
export const DOMAIN_SUSPEND = defineProc('DOMAIN_SUSPEND', 34, domainArgs, xdrVoid);
export const DOMAIN_IS_ACTIVE = defineProc('DOMAIN_IS_ACTIVE', 150, domainArgs, single('active', xdrIntBool), 'high');
export const DOMAIN_IS_PERSISTENT = defineProc(
  'DOMAIN_IS_PERSISTENT',
  151,
  domainArgs,
  single('persistent', xdrIntBool),
  'high',
);
export const DOMAIN_DETACH_DEVICE_FLAGS = defineProc('DOMAIN_DETACH_DEVICE_FLAGS', 161, domainXmlFlagsArgs, xdrVoid);
export const DOMAIN_UPDATE_DEVICE_FLAGS = defineProc('DOMAIN_UPDATE_DEVICE_FLAGS', 174, domainXmlFlagsArgs, xdrVoid);
/** Returns the domain again: its id changes once it runs. */
export const DOMAIN_CREATE_WITH_FLAGS = defineProc('DOMAIN_CREATE_WITH_FLAGS', 196, domainFlagsArgs, domRet);
export const DOMAIN_GET_STATE = defineProc(
  'DOMAIN_GET_STATE',
  212,
  domainFlagsArgs,
  struct<DomainStateRet>({ state: xdrInt, reason: xdrInt }),
  'high',
);
export const DOMAIN_UNDEFINE_FLAGS = defineProc('DOMAIN_UNDEFINE_FLAGS', 231, domainFlagsArgs, xdrVoid, 'high');
export const DOMAIN_DESTROY_FLAGS = defineProc('DOMAIN_DESTROY_FLAGS', 234, domainFlagsArgs, xdrVoid, 'high');
export const DOMAIN_SHUTDOWN_FLAGS = defineProc('DOMAIN_SHUTDOWN_FLAGS', 258, domainFlagsArgs, xdrVoid);
export const DOMAIN_SET_METADATA = defineProc('DOMAIN_SET_METADATA', 264, domainSetMetadataArgs, xdrVoid);
export const DOMAIN_GET_METADATA = defineProc(
  'DOMAIN_GET_METADATA',
  265,
  domainGetMetadataArgs,
  single('metadata', nonnullString),
);
export const CONNECT_LIST_ALL_DOMAINS = defineProc(
  'CONNECT_LIST_ALL_DOMAINS',
  273,
  listAllArgs,
  listAllRet(nonnullDomain, REMOTE_DOMAIN_LIST_MAX),
  'high',
);
export const DOMAIN_DEFINE_XML_FLAGS = defineProc(
  'DOMAIN_DEFINE_XML_FLAGS',
  350,
  struct<DefineXmlFlagsArgs>({ xml: nonnullString, flags: xdrUint }),
  domRet,
  'high',
);

// ---- flag and enum values from libvirt-domain.h --------------------------------------------

/** virDomainXMLFlags */
export const VIR_DOMAIN_XML_SECURE = 1;
export const VIR_DOMAIN_XML_INACTIVE = 2;
export const VIR_DOMAIN_XML_UPDATE_CPU = 4;
export const VIR_DOMAIN_XML_MIGRATABLE = 8;

/** virDomainDefineFlags */
export const VIR_DOMAIN_DEFINE_VALIDATE = 1;

/** virDomainUndefineFlagsValues */
export const VIR_DOMAIN_UNDEFINE_MANAGED_SAVE = 1;
export const VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA = 2;
export const VIR_DOMAIN_UNDEFINE_NVRAM = 4;
export const VIR_DOMAIN_UNDEFINE_KEEP_NVRAM = 8;
export const VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA = 16;
export const VIR_DOMAIN_UNDEFINE_TPM = 32;
export const VIR_DOMAIN_UNDEFINE_KEEP_TPM = 64;

/** virDomainCreateFlags */
export const VIR_DOMAIN_START_PAUSED = 1;
export const VIR_DOMAIN_START_AUTODESTROY = 2;
export const VIR_DOMAIN_START_BYPASS_CACHE = 4;
export const VIR_DOMAIN_START_FORCE_BOOT = 8;
export const VIR_DOMAIN_START_VALIDATE = 16;

/** virDomainDestroyFlagsValues */
export const VIR_DOMAIN_DESTROY_GRACEFUL = 1;

/** virDomainModificationImpact (device attach/detach, metadata). */
export const VIR_DOMAIN_AFFECT_CURRENT = 0;
export const VIR_DOMAIN_AFFECT_LIVE = 1;
export const VIR_DOMAIN_AFFECT_CONFIG = 2;

/** virDomainMetadataType */
export const VIR_DOMAIN_METADATA_DESCRIPTION = 0;
export const VIR_DOMAIN_METADATA_TITLE = 1;
export const VIR_DOMAIN_METADATA_ELEMENT = 2;

/** virConnectListAllDomainsFlags */
export const VIR_CONNECT_LIST_DOMAINS_ACTIVE = 1 << 0;
export const VIR_CONNECT_LIST_DOMAINS_INACTIVE = 1 << 1;
export const VIR_CONNECT_LIST_DOMAINS_PERSISTENT = 1 << 2;
export const VIR_CONNECT_LIST_DOMAINS_TRANSIENT = 1 << 3;
export const VIR_CONNECT_LIST_DOMAINS_RUNNING = 1 << 4;
export const VIR_CONNECT_LIST_DOMAINS_PAUSED = 1 << 5;
export const VIR_CONNECT_LIST_DOMAINS_SHUTOFF = 1 << 6;
export const VIR_CONNECT_LIST_DOMAINS_OTHER = 1 << 7;
export const VIR_CONNECT_LIST_DOMAINS_AUTOSTART = 1 << 10;
export const VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART = 1 << 11;

/** virDomainState, indexed by its numeric value. */
export const DOMAIN_STATES = [
  'nostate',
  'running',
  'blocked',
  'paused',
  'shutdown',
  'shutoff',
  'crashed',
  'pmsuspended',
] as const;
export type DomainState = (typeof DOMAIN_STATES)[number] | 'unknown';

export function domainStateName(state: number): DomainState {
  return DOMAIN_STATES[state] ?? 'unknown';
}
