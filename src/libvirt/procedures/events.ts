// Event registration procedures and the MESSAGE bodies libvirtd sends for lifecycle events.
// Only the callback-based ("*_REGISTER_ANY" with a callbackID) forms are used: they let several
// subscriptions share one connection and tell the messages apart.
import { xdrVoid, type XdrCodec } from '../xdr.js';
import {
  defineProc,
  nonnullDomain,
  nonnullNetwork,
  nonnullNodeDevice,
  nonnullStoragePool,
  optional,
  single,
  struct,
  xdrInt,
  type RemoteDomain,
  type RemoteNetwork,
  type RemoteNodeDevice,
  type RemoteStoragePool,
} from './common.js';
import * as C from '../generated/constants.js';
import * as P from '../generated/remote-procedures.js';

/** Event ids: every object kind numbers its lifecycle event 0. */
export const VIR_DOMAIN_EVENT_ID_LIFECYCLE = C.VIR_DOMAIN_EVENT_ID_LIFECYCLE;
export const VIR_NETWORK_EVENT_ID_LIFECYCLE = C.VIR_NETWORK_EVENT_ID_LIFECYCLE;
export const VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE = C.VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE;
export const VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE = C.VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE;

export interface RegisterAnyArgs<T> {
  eventID: number;
  /** Restrict to one object; null subscribes to all of them. */
  object: T | null;
}
function registerArgs<T>(handle: XdrCodec<T>): XdrCodec<RegisterAnyArgs<T>> {
  return struct<RegisterAnyArgs<T>>({ eventID: xdrInt, object: optional(handle) });
}
const callbackIdRet: XdrCodec<number> = single('callbackID', xdrInt);
const callbackIdArgs: XdrCodec<number> = single('callbackID', xdrInt);

export const CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY = defineProc(
  'CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY',
  P.REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
  registerArgs(nonnullDomain),
  callbackIdRet,
  'high',
);
export const CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY = defineProc(
  'CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY',
  P.REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
  callbackIdArgs,
  xdrVoid,
  'high',
);
export const CONNECT_NETWORK_EVENT_REGISTER_ANY = defineProc(
  'CONNECT_NETWORK_EVENT_REGISTER_ANY',
  P.REMOTE_PROC_CONNECT_NETWORK_EVENT_REGISTER_ANY,
  registerArgs(nonnullNetwork),
  callbackIdRet,
  'high',
);
export const CONNECT_NETWORK_EVENT_DEREGISTER_ANY = defineProc(
  'CONNECT_NETWORK_EVENT_DEREGISTER_ANY',
  P.REMOTE_PROC_CONNECT_NETWORK_EVENT_DEREGISTER_ANY,
  callbackIdArgs,
  xdrVoid,
  'high',
);
export const CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY = defineProc(
  'CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY',
  P.REMOTE_PROC_CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY,
  registerArgs(nonnullStoragePool),
  callbackIdRet,
  'high',
);
export const CONNECT_STORAGE_POOL_EVENT_DEREGISTER_ANY = defineProc(
  'CONNECT_STORAGE_POOL_EVENT_DEREGISTER_ANY',
  P.REMOTE_PROC_CONNECT_STORAGE_POOL_EVENT_DEREGISTER_ANY,
  callbackIdArgs,
  xdrVoid,
  'high',
);
export const CONNECT_NODE_DEVICE_EVENT_REGISTER_ANY = defineProc(
  'CONNECT_NODE_DEVICE_EVENT_REGISTER_ANY',
  P.REMOTE_PROC_CONNECT_NODE_DEVICE_EVENT_REGISTER_ANY,
  registerArgs(nonnullNodeDevice),
  callbackIdRet,
  'high',
);
export const CONNECT_NODE_DEVICE_EVENT_DEREGISTER_ANY = defineProc(
  'CONNECT_NODE_DEVICE_EVENT_DEREGISTER_ANY',
  P.REMOTE_PROC_CONNECT_NODE_DEVICE_EVENT_DEREGISTER_ANY,
  callbackIdArgs,
  xdrVoid,
  'high',
);

// ---- MESSAGE bodies ------------------------------------------------------------------------

/** Procedure numbers of the lifecycle MESSAGE packets. */
export const REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE = P.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE;
export const REMOTE_PROC_NETWORK_EVENT_LIFECYCLE = P.REMOTE_PROC_NETWORK_EVENT_LIFECYCLE;
export const REMOTE_PROC_STORAGE_POOL_EVENT_LIFECYCLE = P.REMOTE_PROC_STORAGE_POOL_EVENT_LIFECYCLE;
export const REMOTE_PROC_NODE_DEVICE_EVENT_LIFECYCLE = P.REMOTE_PROC_NODE_DEVICE_EVENT_LIFECYCLE;

export interface LifecycleMsg<T> {
  callbackID: number;
  object: T;
  event: number;
  detail: number;
}

/**
 * remote_domain_event_callback_lifecycle_msg wraps the older remote_domain_event_lifecycle_msg
 * ({dom, event, detail}) after the callbackID; the flat layout is byte-identical.
 */
export const domainLifecycleMsg: XdrCodec<LifecycleMsg<RemoteDomain>> = struct<LifecycleMsg<RemoteDomain>>({
  callbackID: xdrInt,
  object: nonnullDomain,
  event: xdrInt,
  detail: xdrInt,
});
export const networkLifecycleMsg: XdrCodec<LifecycleMsg<RemoteNetwork>> = struct<LifecycleMsg<RemoteNetwork>>({
  callbackID: xdrInt,
  object: nonnullNetwork,
  event: xdrInt,
  detail: xdrInt,
});
export const storagePoolLifecycleMsg: XdrCodec<LifecycleMsg<RemoteStoragePool>> = struct<LifecycleMsg<RemoteStoragePool>>({
  callbackID: xdrInt,
  object: nonnullStoragePool,
  event: xdrInt,
  detail: xdrInt,
});
export const nodeDeviceLifecycleMsg: XdrCodec<LifecycleMsg<RemoteNodeDevice>> = struct<LifecycleMsg<RemoteNodeDevice>>({
  callbackID: xdrInt,
  object: nonnullNodeDevice,
  event: xdrInt,
  detail: xdrInt,
});

/** virDomainEventType, indexed by value. */
export const DOMAIN_EVENT_TYPES = [
  'defined',
  'undefined',
  'started',
  'suspended',
  'resumed',
  'stopped',
  'shutdown',
  'pmsuspended',
  'crashed',
] as const;
/** virNetworkEventLifecycleType */
export const NETWORK_EVENT_TYPES = ['defined', 'undefined', 'started', 'stopped'] as const;
/** virStoragePoolEventLifecycleType */
export const STORAGE_POOL_EVENT_TYPES = ['defined', 'undefined', 'started', 'stopped', 'created', 'deleted'] as const;
/** virNodeDeviceEventLifecycleType */
export const NODE_DEVICE_EVENT_TYPES = ['created', 'deleted', 'defined', 'undefined'] as const;
