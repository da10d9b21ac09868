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
import * as C from '../generated/constants.js';
import * as P from '../generated/remote-procedures.js';

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

export const DOMAIN_ATTACH_DEVICE_FLAGS = defineProc('DOMAIN_ATTACH_DEVICE_FLAGS', P.REMOTE_PROC_DOMAIN_ATTACH_DEVICE_FLAGS, domainXmlFlagsArgs, xdrVoid);
export const DOMAIN_CREATE = defineProc('DOMAIN_CREATE', P.REMOTE_PROC_DOMAIN_CREATE, domainArgs, xdrVoid);
export const DOMAIN_DESTROY = defineProc('DOMAIN_DESTROY', P.REMOTE_PROC_DOMAIN_DESTROY, domainArgs, xdrVoid, 'high');
export const DOMAIN_GET_XML_DESC = defineProc('DOMAIN_GET_XML_DESC', P.REMOTE_PROC_DOMAIN_GET_XML_DESC, domainFlagsArgs, single('xml', nonnullString));
export const DOMAIN_GET_AUTOSTART = defineProc('DOMAIN_GET_AUTOSTART', P.REMOTE_PROC_DOMAIN_GET_AUTOSTART, domainArgs, single('autostart', xdrIntBool), 'high');
export const DOMAIN_GET_INFO = defineProc('DOMAIN_GET_INFO', P.REMOTE_PROC_DOMAIN_GET_INFO, domainArgs, domainGetInfoRet);
export const DOMAIN_LOOKUP_BY_NAME = defineProc(
  'DOMAIN_LOOKUP_BY_NAME',
  P.REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME,
  single('name', nonnullString),
  domRet,
  'high',
);
export const DOMAIN_LOOKUP_BY_UUID = defineProc('DOMAIN_LOOKUP_BY_UUID', P.REMOTE_PROC_DOMAIN_LOOKUP_BY_UUID, single('uuid', uuidCodec), domRet, 'high');
export const DOMAIN_REBOOT = defineProc('DOMAIN_REBOOT', P.REMOTE_PROC_DOMAIN_REBOOT, domainFlagsArgs, xdrVoid);
export const DOMAIN_RESUME = defineProc('DOMAIN_RESUME', P.REMOTE_PROC_DOMAIN_RESUME, domainArgs, xdrVoid);
export const DOMAIN_SET_AUTOSTART = defineProc(
  'DOMAIN_SET_AUTOSTART',
  P.REMOTE_PROC_DOMAIN_SET_AUTOSTART,
  struct<DomainAutostartArgs>({ dom: nonnullDomain, autostart: xdrIntBool }),
  xdrVoid,
  'high',
);
export const DOMAIN_SHUTDOWN = defineProc('DOMAIN_SHUTDOWN', P.REMOTE_PROC_DOMAIN_SHUTDOWN, domainArgs, xdrVoid);
export const DOMAIN_SUSPEND = defineProc('DOMAIN_SUSPEND', P.REMOTE_PROC_DOMAIN_SUSPEND, domainArgs, xdrVoid);
export const DOMAIN_IS_ACTIVE = defineProc('DOMAIN_IS_ACTIVE', P.REMOTE_PROC_DOMAIN_IS_ACTIVE, domainArgs, single('active', xdrIntBool), 'high');
export const DOMAIN_IS_PERSISTENT = defineProc(
  'DOMAIN_IS_PERSISTENT',
  P.REMOTE_PROC_DOMAIN_IS_PERSISTENT,
  domainArgs,
  single('persistent', xdrIntBool),
  'high',
);
export const DOMAIN_DETACH_DEVICE_FLAGS = defineProc('DOMAIN_DETACH_DEVICE_FLAGS', P.REMOTE_PROC_DOMAIN_DETACH_DEVICE_FLAGS, domainXmlFlagsArgs, xdrVoid);
export const DOMAIN_UPDATE_DEVICE_FLAGS = defineProc('DOMAIN_UPDATE_DEVICE_FLAGS', P.REMOTE_PROC_DOMAIN_UPDATE_DEVICE_FLAGS, domainXmlFlagsArgs, xdrVoid);
/** Returns the domain again: its id changes once it runs. */
export const DOMAIN_CREATE_WITH_FLAGS = defineProc('DOMAIN_CREATE_WITH_FLAGS', P.REMOTE_PROC_DOMAIN_CREATE_WITH_FLAGS, domainFlagsArgs, domRet);
export const DOMAIN_GET_STATE = defineProc(
  'DOMAIN_GET_STATE',
  P.REMOTE_PROC_DOMAIN_GET_STATE,
  domainFlagsArgs,
  struct<DomainStateRet>({ state: xdrInt, reason: xdrInt }),
  'high',
);
export const DOMAIN_UNDEFINE_FLAGS = defineProc('DOMAIN_UNDEFINE_FLAGS', P.REMOTE_PROC_DOMAIN_UNDEFINE_FLAGS, domainFlagsArgs, xdrVoid, 'high');
export const DOMAIN_DESTROY_FLAGS = defineProc('DOMAIN_DESTROY_FLAGS', P.REMOTE_PROC_DOMAIN_DESTROY_FLAGS, domainFlagsArgs, xdrVoid, 'high');
export const DOMAIN_SHUTDOWN_FLAGS = defineProc('DOMAIN_SHUTDOWN_FLAGS', P.REMOTE_PROC_DOMAIN_SHUTDOWN_FLAGS, domainFlagsArgs, xdrVoid);
export const DOMAIN_SET_METADATA = defineProc('DOMAIN_SET_METADATA', P.REMOTE_PROC_DOMAIN_SET_METADATA, domainSetMetadataArgs, xdrVoid);
export const DOMAIN_GET_METADATA = defineProc(
  'DOMAIN_GET_METADATA',
  P.REMOTE_PROC_DOMAIN_GET_METADATA,
  domainGetMetadataArgs,
  single('metadata', nonnullString),
);
export const CONNECT_LIST_ALL_DOMAINS = defineProc(
  'CONNECT_LIST_ALL_DOMAINS',
  P.REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS,
  listAllArgs,
  listAllRet(nonnullDomain, REMOTE_DOMAIN_LIST_MAX),
  'high',
);
export const DOMAIN_DEFINE_XML_FLAGS = defineProc(
  'DOMAIN_DEFINE_XML_FLAGS',
  P.REMOTE_PROC_DOMAIN_DEFINE_XML_FLAGS,
  struct<DefineXmlFlagsArgs>({ xml: nonnullString, flags: xdrUint }),
  domRet,
  'high',
);

// ---- flag and enum values from libvirt-domain.h --------------------------------------------

/** virDomainXMLFlags */
export const VIR_DOMAIN_XML_SECURE = C.VIR_DOMAIN_XML_SECURE;
export const VIR_DOMAIN_XML_INACTIVE = C.VIR_DOMAIN_XML_INACTIVE;
export const VIR_DOMAIN_XML_UPDATE_CPU = C.VIR_DOMAIN_XML_UPDATE_CPU;
export const VIR_DOMAIN_XML_MIGRATABLE = C.VIR_DOMAIN_XML_MIGRATABLE;

/** virDomainDefineFlags */
export const VIR_DOMAIN_DEFINE_VALIDATE = C.VIR_DOMAIN_DEFINE_VALIDATE;

/** virDomainUndefineFlagsValues */
export const VIR_DOMAIN_UNDEFINE_MANAGED_SAVE = C.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE;
export const VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA = C.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA;
export const VIR_DOMAIN_UNDEFINE_NVRAM = C.VIR_DOMAIN_UNDEFINE_NVRAM;
export const VIR_DOMAIN_UNDEFINE_KEEP_NVRAM = C.VIR_DOMAIN_UNDEFINE_KEEP_NVRAM;
export const VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA = C.VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA;
export const VIR_DOMAIN_UNDEFINE_TPM = C.VIR_DOMAIN_UNDEFINE_TPM;
export const VIR_DOMAIN_UNDEFINE_KEEP_TPM = C.VIR_DOMAIN_UNDEFINE_KEEP_TPM;

/** virDomainCreateFlags */
export const VIR_DOMAIN_START_PAUSED = C.VIR_DOMAIN_START_PAUSED;
export const VIR_DOMAIN_START_AUTODESTROY = C.VIR_DOMAIN_START_AUTODESTROY;
export const VIR_DOMAIN_START_BYPASS_CACHE = C.VIR_DOMAIN_START_BYPASS_CACHE;
export const VIR_DOMAIN_START_FORCE_BOOT = C.VIR_DOMAIN_START_FORCE_BOOT;
export const VIR_DOMAIN_START_VALIDATE = C.VIR_DOMAIN_START_VALIDATE;

/** virDomainDestroyFlagsValues */
export const VIR_DOMAIN_DESTROY_GRACEFUL = C.VIR_DOMAIN_DESTROY_GRACEFUL;

/** virDomainModificationImpact (device attach/detach, metadata). */
export const VIR_DOMAIN_AFFECT_CURRENT = C.VIR_DOMAIN_AFFECT_CURRENT;
export const VIR_DOMAIN_AFFECT_LIVE = C.VIR_DOMAIN_AFFECT_LIVE;
export const VIR_DOMAIN_AFFECT_CONFIG = C.VIR_DOMAIN_AFFECT_CONFIG;

/** virDomainMetadataType */
export const VIR_DOMAIN_METADATA_DESCRIPTION = C.VIR_DOMAIN_METADATA_DESCRIPTION;
export const VIR_DOMAIN_METADATA_TITLE = C.VIR_DOMAIN_METADATA_TITLE;
export const VIR_DOMAIN_METADATA_ELEMENT = C.VIR_DOMAIN_METADATA_ELEMENT;

/** virConnectListAllDomainsFlags */
export const VIR_CONNECT_LIST_DOMAINS_ACTIVE = C.VIR_CONNECT_LIST_DOMAINS_ACTIVE;
export const VIR_CONNECT_LIST_DOMAINS_INACTIVE = C.VIR_CONNECT_LIST_DOMAINS_INACTIVE;
export const VIR_CONNECT_LIST_DOMAINS_PERSISTENT = C.VIR_CONNECT_LIST_DOMAINS_PERSISTENT;
export const VIR_CONNECT_LIST_DOMAINS_TRANSIENT = C.VIR_CONNECT_LIST_DOMAINS_TRANSIENT;
export const VIR_CONNECT_LIST_DOMAINS_RUNNING = C.VIR_CONNECT_LIST_DOMAINS_RUNNING;
export const VIR_CONNECT_LIST_DOMAINS_PAUSED = C.VIR_CONNECT_LIST_DOMAINS_PAUSED;
export const VIR_CONNECT_LIST_DOMAINS_SHUTOFF = C.VIR_CONNECT_LIST_DOMAINS_SHUTOFF;
export const VIR_CONNECT_LIST_DOMAINS_OTHER = C.VIR_CONNECT_LIST_DOMAINS_OTHER;
export const VIR_CONNECT_LIST_DOMAINS_AUTOSTART = C.VIR_CONNECT_LIST_DOMAINS_AUTOSTART;
export const VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART = C.VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART;

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
