// Storage pool and volume procedures (remote_protocol.x numbers and struct layouts).
import { xdrVoid, type XdrCodec } from '../xdr.js';
import {
  defineProc,
  listAllArgs,
  listAllRet,
  nonnullStoragePool,
  nonnullStorageVol,
  nonnullString,
  REMOTE_STORAGE_POOL_LIST_MAX,
  REMOTE_STORAGE_VOL_LIST_MAX,
  single,
  struct,
  uuidCodec,
  xdrChar,
  xdrIntBool,
  xdrUchar,
  xdrUhyper,
  xdrUint,
  type ListAllRet,
  type RemoteStoragePool,
  type RemoteStorageVol,
} from './common.js';
import * as C from '../generated/constants.js';
import * as P from '../generated/remote-procedures.js';

export interface PoolArgs {
  pool: RemoteStoragePool;
}
export interface PoolFlagsArgs {
  pool: RemoteStoragePool;
  flags: number;
}
export interface PoolAutostartArgs {
  pool: RemoteStoragePool;
  autostart: boolean;
}
export interface PoolListAllVolumesArgs {
  pool: RemoteStoragePool;
  needResults: boolean;
  flags: number;
}
export interface PoolInfoRet {
  /** virStoragePoolState */
  state: number;
  /** bytes */
  capacity: bigint;
  allocation: bigint;
  available: bigint;
}
export interface XmlFlagsArgs {
  xml: string;
  flags: number;
}
export interface VolArgs {
  vol: RemoteStorageVol;
}
export interface VolFlagsArgs {
  vol: RemoteStorageVol;
  flags: number;
}
export interface VolLookupByNameArgs {
  pool: RemoteStoragePool;
  name: string;
}
export interface VolCreateXmlArgs {
  pool: RemoteStoragePool;
  xml: string;
  flags: number;
}
export interface VolCreateXmlFromArgs {
  pool: RemoteStoragePool;
  xml: string;
  clonevol: RemoteStorageVol;
  flags: number;
}
export interface VolResizeArgs {
  vol: RemoteStorageVol;
  /** bytes; with VIR_STORAGE_VOL_RESIZE_DELTA, the amount to add */
  capacity: bigint;
  flags: number;
}
/** remote_storage_vol_upload_args: the range of the volume to overwrite; length 0 means up to the end of the data sent. */
export interface VolUploadArgs {
  vol: RemoteStorageVol;
  /** bytes */
  offset: bigint;
  /** bytes */
  length: bigint;
  flags: number;
}
export interface VolInfoRet {
  /** virStorageVolType */
  type: number;
  /** bytes */
  capacity: bigint;
  allocation: bigint;
}

const poolArgs: XdrCodec<PoolArgs> = struct<PoolArgs>({ pool: nonnullStoragePool });
const poolFlagsArgs: XdrCodec<PoolFlagsArgs> = struct<PoolFlagsArgs>({ pool: nonnullStoragePool, flags: xdrUint });
const poolRet: XdrCodec<RemoteStoragePool> = single('pool', nonnullStoragePool);
const volArgs: XdrCodec<VolArgs> = struct<VolArgs>({ vol: nonnullStorageVol });
const volFlagsArgs: XdrCodec<VolFlagsArgs> = struct<VolFlagsArgs>({ vol: nonnullStorageVol, flags: xdrUint });
const volRet: XdrCodec<RemoteStorageVol> = single('vol', nonnullStorageVol);

export const poolListAllVolumesArgs: XdrCodec<PoolListAllVolumesArgs> = struct<PoolListAllVolumesArgs>({
  pool: nonnullStoragePool,
  needResults: xdrIntBool,
  flags: xdrUint,
});
export const poolGetInfoRet: XdrCodec<PoolInfoRet> = struct<PoolInfoRet>({
  state: xdrUchar,
  capacity: xdrUhyper,
  allocation: xdrUhyper,
  available: xdrUhyper,
});
export const volCreateXmlFromArgs: XdrCodec<VolCreateXmlFromArgs> = struct<VolCreateXmlFromArgs>({
  pool: nonnullStoragePool,
  xml: nonnullString,
  clonevol: nonnullStorageVol,
  flags: xdrUint,
});
export const volResizeArgs: XdrCodec<VolResizeArgs> = struct<VolResizeArgs>({
  vol: nonnullStorageVol,
  capacity: xdrUhyper,
  flags: xdrUint,
});
export const volUploadArgs: XdrCodec<VolUploadArgs> = struct<VolUploadArgs>({
  vol: nonnullStorageVol,
  offset: xdrUhyper,
  length: xdrUhyper,
  flags: xdrUint,
});
export const volGetInfoRet: XdrCodec<VolInfoRet> = struct<VolInfoRet>({
  type: xdrChar,
  capacity: xdrUhyper,
  allocation: xdrUhyper,
});

// ---- pools ---------------------------------------------------------------------------------

export const STORAGE_POOL_DEFINE_XML = defineProc(
  'STORAGE_POOL_DEFINE_XML',
  P.REMOTE_PROC_STORAGE_POOL_DEFINE_XML,
  struct<XmlFlagsArgs>({ xml: nonnullString, flags: xdrUint }),
  poolRet,
  'high',
);
export const STORAGE_POOL_CREATE = defineProc('STORAGE_POOL_CREATE', P.REMOTE_PROC_STORAGE_POOL_CREATE, poolFlagsArgs, xdrVoid);
export const STORAGE_POOL_BUILD = defineProc('STORAGE_POOL_BUILD', P.REMOTE_PROC_STORAGE_POOL_BUILD, poolFlagsArgs, xdrVoid);
export const STORAGE_POOL_DESTROY = defineProc('STORAGE_POOL_DESTROY', P.REMOTE_PROC_STORAGE_POOL_DESTROY, poolArgs, xdrVoid, 'high');
export const STORAGE_POOL_DELETE = defineProc('STORAGE_POOL_DELETE', P.REMOTE_PROC_STORAGE_POOL_DELETE, poolFlagsArgs, xdrVoid);
export const STORAGE_POOL_UNDEFINE = defineProc('STORAGE_POOL_UNDEFINE', P.REMOTE_PROC_STORAGE_POOL_UNDEFINE, poolArgs, xdrVoid, 'high');
export const STORAGE_POOL_REFRESH = defineProc('STORAGE_POOL_REFRESH', P.REMOTE_PROC_STORAGE_POOL_REFRESH, poolFlagsArgs, xdrVoid);
export const STORAGE_POOL_LOOKUP_BY_NAME = defineProc(
  'STORAGE_POOL_LOOKUP_BY_NAME',
  P.REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_NAME,
  single('name', nonnullString),
  poolRet,
  'high',
);
export const STORAGE_POOL_LOOKUP_BY_UUID = defineProc(
  'STORAGE_POOL_LOOKUP_BY_UUID',
  P.REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_UUID,
  single('uuid', uuidCodec),
  poolRet,
  'high',
);
export const STORAGE_POOL_GET_INFO = defineProc('STORAGE_POOL_GET_INFO', P.REMOTE_PROC_STORAGE_POOL_GET_INFO, poolArgs, poolGetInfoRet, 'high');
export const STORAGE_POOL_GET_XML_DESC = defineProc(
  'STORAGE_POOL_GET_XML_DESC',
  P.REMOTE_PROC_STORAGE_POOL_GET_XML_DESC,
  poolFlagsArgs,
  single('xml', nonnullString),
  'high',
);
export const STORAGE_POOL_GET_AUTOSTART = defineProc(
  'STORAGE_POOL_GET_AUTOSTART',
  P.REMOTE_PROC_STORAGE_POOL_GET_AUTOSTART,
  poolArgs,
  single('autostart', xdrIntBool),
  'high',
);
export const STORAGE_POOL_SET_AUTOSTART = defineProc(
  'STORAGE_POOL_SET_AUTOSTART',
  P.REMOTE_PROC_STORAGE_POOL_SET_AUTOSTART,
  struct<PoolAutostartArgs>({ pool: nonnullStoragePool, autostart: xdrIntBool }),
  xdrVoid,
  'high',
);
export const STORAGE_POOL_IS_ACTIVE = defineProc('STORAGE_POOL_IS_ACTIVE', P.REMOTE_PROC_STORAGE_POOL_IS_ACTIVE, poolArgs, single('active', xdrIntBool), 'high');
export const STORAGE_POOL_IS_PERSISTENT = defineProc(
  'STORAGE_POOL_IS_PERSISTENT',
  P.REMOTE_PROC_STORAGE_POOL_IS_PERSISTENT,
  poolArgs,
  single('persistent', xdrIntBool),
  'high',
);
export const CONNECT_LIST_ALL_STORAGE_POOLS = defineProc(
  'CONNECT_LIST_ALL_STORAGE_POOLS',
  P.REMOTE_PROC_CONNECT_LIST_ALL_STORAGE_POOLS,
  listAllArgs,
  listAllRet(nonnullStoragePool, REMOTE_STORAGE_POOL_LIST_MAX),
  'high',
);
export const STORAGE_POOL_LIST_ALL_VOLUMES = defineProc<PoolListAllVolumesArgs, ListAllRet<RemoteStorageVol>>(
  'STORAGE_POOL_LIST_ALL_VOLUMES',
  282,
  poolListAllVolumesArgs,
  listAllRet(nonnullStorageVol, REMOTE_STORAGE_VOL_LIST_MAX),
  'high',
);

// ---- volumes -------------------------------------------------------------------------------

export const STORAGE_VOL_CREATE_XML = defineProc(
  'STORAGE_VOL_CREATE_XML',
  P.REMOTE_PROC_STORAGE_VOL_CREATE_XML,
  struct<VolCreateXmlArgs>({ pool: nonnullStoragePool, xml: nonnullString, flags: xdrUint }),
  volRet,
);
export const STORAGE_VOL_DELETE = defineProc('STORAGE_VOL_DELETE', P.REMOTE_PROC_STORAGE_VOL_DELETE, volFlagsArgs, xdrVoid);
export const STORAGE_VOL_LOOKUP_BY_NAME = defineProc(
  'STORAGE_VOL_LOOKUP_BY_NAME',
  P.REMOTE_PROC_STORAGE_VOL_LOOKUP_BY_NAME,
  struct<VolLookupByNameArgs>({ pool: nonnullStoragePool, name: nonnullString }),
  volRet,
  'high',
);
export const STORAGE_VOL_LOOKUP_BY_KEY = defineProc('STORAGE_VOL_LOOKUP_BY_KEY', P.REMOTE_PROC_STORAGE_VOL_LOOKUP_BY_KEY, single('key', nonnullString), volRet, 'high');
export const STORAGE_VOL_LOOKUP_BY_PATH = defineProc(
  'STORAGE_VOL_LOOKUP_BY_PATH',
  P.REMOTE_PROC_STORAGE_VOL_LOOKUP_BY_PATH,
  single('path', nonnullString),
  volRet,
  'high',
);
export const STORAGE_VOL_GET_INFO = defineProc('STORAGE_VOL_GET_INFO', P.REMOTE_PROC_STORAGE_VOL_GET_INFO, volArgs, volGetInfoRet, 'high');
export const STORAGE_VOL_GET_XML_DESC = defineProc(
  'STORAGE_VOL_GET_XML_DESC',
  P.REMOTE_PROC_STORAGE_VOL_GET_XML_DESC,
  volFlagsArgs,
  single('xml', nonnullString),
  'high',
);
export const STORAGE_VOL_GET_PATH = defineProc('STORAGE_VOL_GET_PATH', P.REMOTE_PROC_STORAGE_VOL_GET_PATH, volArgs, single('name', nonnullString), 'high');
export const STORAGE_VOL_CREATE_XML_FROM = defineProc('STORAGE_VOL_CREATE_XML_FROM', P.REMOTE_PROC_STORAGE_VOL_CREATE_XML_FROM, volCreateXmlFromArgs, volRet);
export const STORAGE_VOL_WIPE = defineProc('STORAGE_VOL_WIPE', P.REMOTE_PROC_STORAGE_VOL_WIPE, volFlagsArgs, xdrVoid);
export const STORAGE_VOL_RESIZE = defineProc('STORAGE_VOL_RESIZE', P.REMOTE_PROC_STORAGE_VOL_RESIZE, volResizeArgs, xdrVoid);
/** Opens a write stream (remote_protocol.x: "writestream@1"): the data follows as STREAM packets. */
export const STORAGE_VOL_UPLOAD = defineProc('STORAGE_VOL_UPLOAD', P.REMOTE_PROC_STORAGE_VOL_UPLOAD, volUploadArgs, xdrVoid);

// ---- flag and enum values from libvirt-storage.h -------------------------------------------

/** virStorageXMLFlags */
export const VIR_STORAGE_XML_INACTIVE = C.VIR_STORAGE_XML_INACTIVE;

/** virConnectListAllStoragePoolsFlags (the pool-type filters are left out). */
export const VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE = C.VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE;
export const VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE = C.VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE;
export const VIR_CONNECT_LIST_STORAGE_POOLS_PERSISTENT = C.VIR_CONNECT_LIST_STORAGE_POOLS_PERSISTENT;
export const VIR_CONNECT_LIST_STORAGE_POOLS_TRANSIENT = C.VIR_CONNECT_LIST_STORAGE_POOLS_TRANSIENT;
export const VIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART = C.VIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART;
export const VIR_CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART = C.VIR_CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART;

/** virStoragePoolBuildFlags */
export const VIR_STORAGE_POOL_BUILD_NEW = C.VIR_STORAGE_POOL_BUILD_NEW;
export const VIR_STORAGE_POOL_BUILD_REPAIR = C.VIR_STORAGE_POOL_BUILD_REPAIR;
export const VIR_STORAGE_POOL_BUILD_RESIZE = C.VIR_STORAGE_POOL_BUILD_RESIZE;
export const VIR_STORAGE_POOL_BUILD_NO_OVERWRITE = C.VIR_STORAGE_POOL_BUILD_NO_OVERWRITE;
export const VIR_STORAGE_POOL_BUILD_OVERWRITE = C.VIR_STORAGE_POOL_BUILD_OVERWRITE;

/** virStoragePoolCreateFlags */
export const VIR_STORAGE_POOL_CREATE_WITH_BUILD = C.VIR_STORAGE_POOL_CREATE_WITH_BUILD;
export const VIR_STORAGE_POOL_CREATE_WITH_BUILD_OVERWRITE = C.VIR_STORAGE_POOL_CREATE_WITH_BUILD_OVERWRITE;
export const VIR_STORAGE_POOL_CREATE_WITH_BUILD_NO_OVERWRITE = C.VIR_STORAGE_POOL_CREATE_WITH_BUILD_NO_OVERWRITE;

/** virStoragePoolDeleteFlags */
export const VIR_STORAGE_POOL_DELETE_NORMAL = C.VIR_STORAGE_POOL_DELETE_NORMAL;
export const VIR_STORAGE_POOL_DELETE_ZEROED = C.VIR_STORAGE_POOL_DELETE_ZEROED;

/** virStorageVolCreateFlags */
export const VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA = C.VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA;
export const VIR_STORAGE_VOL_CREATE_REFLINK = C.VIR_STORAGE_VOL_CREATE_REFLINK;
export const VIR_STORAGE_VOL_CREATE_VALIDATE = C.VIR_STORAGE_VOL_CREATE_VALIDATE;

/** virStorageVolResizeFlags */
export const VIR_STORAGE_VOL_RESIZE_ALLOCATE = C.VIR_STORAGE_VOL_RESIZE_ALLOCATE;
export const VIR_STORAGE_VOL_RESIZE_DELTA = C.VIR_STORAGE_VOL_RESIZE_DELTA;
export const VIR_STORAGE_VOL_RESIZE_SHRINK = C.VIR_STORAGE_VOL_RESIZE_SHRINK;

/** virStorageVolUploadFlags: holes sent as STREAM_HOLE packets (not used: we send plain data). */
export const VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM = C.VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM;

/** virStorageVolDeleteFlags */
export const VIR_STORAGE_VOL_DELETE_NORMAL = C.VIR_STORAGE_VOL_DELETE_NORMAL;
export const VIR_STORAGE_VOL_DELETE_ZEROED = C.VIR_STORAGE_VOL_DELETE_ZEROED;
export const VIR_STORAGE_VOL_DELETE_WITH_SNAPSHOTS = C.VIR_STORAGE_VOL_DELETE_WITH_SNAPSHOTS;

/** virStoragePoolState, indexed by value. */
export const STORAGE_POOL_STATES = ['inactive', 'building', 'running', 'degraded', 'inaccessible'] as const;
export type StoragePoolState = (typeof STORAGE_POOL_STATES)[number] | 'unknown';
export function storagePoolStateName(state: number): StoragePoolState {
  return STORAGE_POOL_STATES[state] ?? 'unknown';
}

/** virStorageVolType, indexed by value. */
export const STORAGE_VOL_TYPES = ['file', 'block', 'dir', 'network', 'netdir', 'ploop'] as const;
export type StorageVolType = (typeof STORAGE_VOL_TYPES)[number] | 'unknown';
export function storageVolTypeName(type: number): StorageVolType {
  return STORAGE_VOL_TYPES[type] ?? 'unknown';
}
