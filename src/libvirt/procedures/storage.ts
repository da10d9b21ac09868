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
  77,
  struct<XmlFlagsArgs>({ xml: nonnullString, flags: xdrUint }),
  poolRet,
  'high',
);
export const STORAGE_POOL_CREATE = defineProc('STORAGE_POOL_CREATE', 78, poolFlagsArgs, xdrVoid);
export const STORAGE_POOL_BUILD = defineProc('STORAGE_POOL_BUILD', 79, poolFlagsArgs, xdrVoid);
export const STORAGE_POOL_DESTROY = defineProc('STORAGE_POOL_DESTROY', 80, poolArgs, xdrVoid, 'high');
export const STORAGE_POOL_DELETE = defineProc('STORAGE_POOL_DELETE', 81, poolFlagsArgs, xdrVoid);
export const STORAGE_POOL_UNDEFINE = defineProc('STORAGE_POOL_UNDEFINE', 82, poolArgs, xdrVoid, 'high');
export const STORAGE_POOL_REFRESH = defineProc('STORAGE_POOL_REFRESH', 83, poolFlagsArgs, xdrVoid);
export const STORAGE_POOL_LOOKUP_BY_NAME = defineProc(
  'STORAGE_POOL_LOOKUP_BY_NAME',
  84,
  single('name', nonnullString),
  poolRet,
  'high',
);
export const STORAGE_POOL_LOOKUP_BY_UUID = defineProc(
  'STORAGE_POOL_LOOKUP_BY_UUID',
  85,
  single('uuid', uuidCodec),
  poolRet,
  'high',
);
export const STORAGE_POOL_GET_INFO = defineProc('STORAGE_POOL_GET_INFO', 87, poolArgs, poolGetInfoRet, 'high');
export const STORAGE_POOL_GET_XML_DESC = defineProc(
  'STORAGE_POOL_GET_XML_DESC',
  88,
  poolFlagsArgs,
  single('xml', nonnullString),
  'high',
);
export const STORAGE_POOL_GET_AUTOSTART = defineProc(
  'STORAGE_POOL_GET_AUTOSTART',
  89,
  poolArgs,
  single('autostart', xdrIntBool),
  'high',
);
export const STORAGE_POOL_SET_AUTOSTART = defineProc(
  'STORAGE_POOL_SET_AUTOSTART',
  90,
  struct<PoolAutostartArgs>({ pool: nonnullStoragePool, autostart: xdrIntBool }),
  xdrVoid,
  'high',
);
export const STORAGE_POOL_IS_ACTIVE = defineProc('STORAGE_POOL_IS_ACTIVE', 154, poolArgs, single('active', xdrIntBool), 'high');
export const STORAGE_POOL_IS_PERSISTENT = defineProc(
  'STORAGE_POOL_IS_PERSISTENT',
  155,
  poolArgs,
  single('persistent', xdrIntBool),
  'high',
);
export const CONNECT_LIST_ALL_STORAGE_POOLS = defineProc(
  'CONNECT_LIST_ALL_STORAGE_POOLS',
  281,
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
  93,
  struct<VolCreateXmlArgs>({ pool: nonnullStoragePool, xml: nonnullString, flags: xdrUint }),
  volRet,
);
export const STORAGE_VOL_DELETE = defineProc('STORAGE_VOL_DELETE', 94, volFlagsArgs, xdrVoid);
export const STORAGE_VOL_LOOKUP_BY_NAME = defineProc(
  'STORAGE_VOL_LOOKUP_BY_NAME',
  95,
  struct<VolLookupByNameArgs>({ pool: nonnullStoragePool, name: nonnullString }),
  volRet,
  'high',
);
export const STORAGE_VOL_LOOKUP_BY_KEY = defineProc('STORAGE_VOL_LOOKUP_BY_KEY', 96, single('key', nonnullString), volRet, 'high');
export const STORAGE_VOL_LOOKUP_BY_PATH = defineProc(
  'STORAGE_VOL_LOOKUP_BY_PATH',
  97,
  single('path', nonnullString),
  volRet,
  'high',
);
export const STORAGE_VOL_GET_INFO = defineProc('STORAGE_VOL_GET_INFO', 98, volArgs, volGetInfoRet, 'high');
export const STORAGE_VOL_GET_XML_DESC = defineProc(
  'STORAGE_VOL_GET_XML_DESC',
  99,
  volFlagsArgs,
  single('xml', nonnullString),
  'high',
);
export const STORAGE_VOL_GET_PATH = defineProc('STORAGE_VOL_GET_PATH', 100, volArgs, single('name', nonnullString), 'high');
export const STORAGE_VOL_CREATE_XML_FROM = defineProc('STORAGE_VOL_CREATE_XML_FROM', 125, volCreateXmlFromArgs, volRet);
export const STORAGE_VOL_WIPE = defineProc('STORAGE_VOL_WIPE', 165, volFlagsArgs, xdrVoid);
export const STORAGE_VOL_RESIZE = defineProc('STORAGE_VOL_RESIZE', 260, volResizeArgs, xdrVoid);
/** Opens a write stream (remote_protocol.x: "writestream@1"): the data follows as STREAM packets. */
export const STORAGE_VOL_UPLOAD = defineProc('STORAGE_VOL_UPLOAD', 208, volUploadArgs, xdrVoid);

// ---- flag and enum values from libvirt-storage.h -------------------------------------------

/** virStorageXMLFlags */
export const VIR_STORAGE_XML_INACTIVE = 1;

/** virConnectListAllStoragePoolsFlags (the pool-type filters are left out). */
export const VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE = 1 << 0;
export const VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE = 1 << 1;
export const VIR_CONNECT_LIST_STORAGE_POOLS_PERSISTENT = 1 << 2;
export const VIR_CONNECT_LIST_STORAGE_POOLS_TRANSIENT = 1 << 3;
export const VIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART = 1 << 4;
export const VIR_CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART = 1 << 5;

/** virStoragePoolBuildFlags */
export const VIR_STORAGE_POOL_BUILD_NEW = 0;
export const VIR_STORAGE_POOL_BUILD_REPAIR = 1;
export const VIR_STORAGE_POOL_BUILD_RESIZE = 2;
export const VIR_STORAGE_POOL_BUILD_NO_OVERWRITE = 4;
export const VIR_STORAGE_POOL_BUILD_OVERWRITE = 8;

/** virStoragePoolCreateFlags */
export const VIR_STORAGE_POOL_CREATE_WITH_BUILD = 1;
export const VIR_STORAGE_POOL_CREATE_WITH_BUILD_OVERWRITE = 2;
export const VIR_STORAGE_POOL_CREATE_WITH_BUILD_NO_OVERWRITE = 4;

/** virStoragePoolDeleteFlags */
export const VIR_STORAGE_POOL_DELETE_NORMAL = 0;
export const VIR_STORAGE_POOL_DELETE_ZEROED = 1;

/** virStorageVolCreateFlags */
export const VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA = 1;
export const VIR_STORAGE_VOL_CREATE_REFLINK = 2;
export const VIR_STORAGE_VOL_CREATE_VALIDATE = 4;

/** virStorageVolResizeFlags */
export const VIR_STORAGE_VOL_RESIZE_ALLOCATE = 1;
export const VIR_STORAGE_VOL_RESIZE_DELTA = 2;
export const VIR_STORAGE_VOL_RESIZE_SHRINK = 4;

/** virStorageVolUploadFlags: holes sent as STREAM_HOLE packets (not used: we send plain data). */
export const VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM = 1;

/** virStorageVolDeleteFlags */
export const VIR_STORAGE_VOL_DELETE_NORMAL = 0;
export const VIR_STORAGE_VOL_DELETE_ZEROED = 1;
export const VIR_STORAGE_VOL_DELETE_WITH_SNAPSHOTS = 2;

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
