// Building blocks shared by every procedure group: scalar codecs, the struct combinator and
// libvirt's object handles (remote_nonnull_domain & co.) from remote_protocol.x.
import { XdrError, type XdrCodec, type XdrReader, type XdrWriter } from '../xdr.js';
import type { ProcedureDef } from '../rpc-types.js';
import * as C from '../generated/constants.js';

/** REMOTE_STRING_MAX: libvirt refuses longer strings, so we do too before sending. */
export const REMOTE_STRING_MAX = C.REMOTE_STRING_MAX;
/** Upper bounds of list replies; they only guard the decoder against garbage lengths. */
export const REMOTE_DOMAIN_LIST_MAX = C.REMOTE_DOMAIN_LIST_MAX;
export const REMOTE_NETWORK_LIST_MAX = C.REMOTE_NETWORK_LIST_MAX;
export const REMOTE_INTERFACE_LIST_MAX = C.REMOTE_INTERFACE_LIST_MAX;
export const REMOTE_STORAGE_POOL_LIST_MAX = C.REMOTE_STORAGE_POOL_LIST_MAX;
export const REMOTE_STORAGE_VOL_LIST_MAX = C.REMOTE_STORAGE_VOL_LIST_MAX;
export const REMOTE_NODE_DEVICE_LIST_MAX = C.REMOTE_NODE_DEVICE_LIST_MAX;

// ---- scalars -------------------------------------------------------------------------------

export const xdrInt: XdrCodec<number> = { encode: (w, v) => void w.int(v), decode: (r) => r.int() };
export const xdrUint: XdrCodec<number> = { encode: (w, v) => void w.uint(v), decode: (r) => r.uint() };
export const xdrHyper: XdrCodec<bigint> = { encode: (w, v) => void w.hyper(v), decode: (r) => r.hyper() };
export const xdrUhyper: XdrCodec<bigint> = { encode: (w, v) => void w.uhyper(v), decode: (r) => r.uhyper() };

/**
 * libvirt sends flags like autostart/active as a plain `int`, not an XDR bool; any non-zero
 * value is true, so decoding must not use XdrReader.bool (which rejects values other than 0/1).
 */
export const xdrIntBool: XdrCodec<boolean> = {
  encode: (w, v) => void w.int(v ? 1 : 0),
  decode: (r) => r.int() !== 0,
};

/**
 * rpcgen encodes `char`, `unsigned char` and `unsigned short` through xdr_char/xdr_u_short,
 * which each take a full 4-byte XDR int on the wire.
 */
export const xdrChar: XdrCodec<number> = xdrInt;
export const xdrUchar: XdrCodec<number> = xdrUint;
export const xdrUshort: XdrCodec<number> = xdrUint;

/** remote_nonnull_string */
export const nonnullString: XdrCodec<string> = {
  encode: (w, v) => void w.string(v, REMOTE_STRING_MAX),
  decode: (r) => r.string(REMOTE_STRING_MAX),
};

/** remote_string: an optional remote_nonnull_string (`remote_nonnull_string *`). */
export const remoteString: XdrCodec<string | null> = optional(nonnullString);

// ---- combinators ---------------------------------------------------------------------------

/** XDR optional-data (`T *`). */
export function optional<T>(inner: XdrCodec<T>): XdrCodec<T | null> {
  return {
    encode: (w, v) => void w.optional(v, inner.encode),
    decode: (r) => r.optional(inner.decode),
  };
}

/** Variable-length array `T name<max>`. */
export function arrayOf<T>(inner: XdrCodec<T>, max: number): XdrCodec<T[]> {
  return {
    encode: (w, v) => void w.array(v, inner.encode, max),
    decode: (r) => r.array(inner.decode, max),
  };
}

type Fields<T> = { readonly [K in keyof T]: XdrCodec<T[K]> };

/**
 * An XDR struct: fields are encoded in the order the object literal lists them, which must be
 * the order of the struct in remote_protocol.x.
 */
export function struct<T extends object>(fields: Fields<T>): XdrCodec<T> {
  const entries = Object.entries(fields) as [keyof T & string, XdrCodec<unknown>][];
  return {
    encode(w: XdrWriter, v: T): void {
      for (const [key, codec] of entries) codec.encode(w, v[key]);
    },
    decode(r: XdrReader): T {
      const out: Record<string, unknown> = {};
      for (const [key, codec] of entries) out[key] = codec.decode(r);
      return out as T;
    },
  };
}

/** Maps a codec's value type, e.g. to unwrap a one-field ret struct. */
export function mapCodec<W, T>(inner: XdrCodec<W>, from: (w: W) => T, to: (t: T) => W): XdrCodec<T> {
  return {
    encode: (w, v) => inner.encode(w, to(v)),
    decode: (r) => from(inner.decode(r)),
  };
}

// ---- UUIDs ---------------------------------------------------------------------------------

export { uuidCodec, uuidToBytes, uuidToString } from '../uuid.js';
import { uuidCodec } from '../uuid.js';

// ---- object handles ------------------------------------------------------------------------

/** remote_nonnull_domain. `id` is -1 while the domain is not running. */
export interface RemoteDomain {
  name: string;
  uuid: string;
  id: number;
}
export const nonnullDomain: XdrCodec<RemoteDomain> = struct<RemoteDomain>({ name: nonnullString, uuid: uuidCodec, id: xdrInt });

/** remote_nonnull_network */
export interface RemoteNetwork {
  name: string;
  uuid: string;
}
export const nonnullNetwork: XdrCodec<RemoteNetwork> = struct<RemoteNetwork>({ name: nonnullString, uuid: uuidCodec });

/** remote_nonnull_storage_pool */
export interface RemoteStoragePool {
  name: string;
  uuid: string;
}
export const nonnullStoragePool: XdrCodec<RemoteStoragePool> = struct<RemoteStoragePool>({
  name: nonnullString,
  uuid: uuidCodec,
});

/** remote_nonnull_storage_vol: `pool` is the pool's name, `key` libvirt's stable volume key. */
export interface RemoteStorageVol {
  pool: string;
  name: string;
  key: string;
}
export const nonnullStorageVol: XdrCodec<RemoteStorageVol> = struct<RemoteStorageVol>({
  pool: nonnullString,
  name: nonnullString,
  key: nonnullString,
});

/** remote_nonnull_interface */
export interface RemoteInterface {
  name: string;
  mac: string;
}
export const nonnullInterface: XdrCodec<RemoteInterface> = struct<RemoteInterface>({ name: nonnullString, mac: nonnullString });

/** remote_nonnull_node_device */
export interface RemoteNodeDevice {
  name: string;
}
export const nonnullNodeDevice: XdrCodec<RemoteNodeDevice> = struct<RemoteNodeDevice>({ name: nonnullString });

// ---- typed parameters (remote_typed_param) -------------------------------------------------

export type TypedParamValue =
  | { type: 'int'; value: number }
  | { type: 'uint'; value: number }
  | { type: 'llong'; value: bigint }
  | { type: 'ullong'; value: bigint }
  | { type: 'double'; value: number }
  | { type: 'boolean'; value: boolean }
  | { type: 'string'; value: string };

export interface TypedParam {
  field: string;
  value: TypedParamValue;
}

/** Discriminants of remote_typed_param_value (virTypedParameterType). */
const TYPED_PARAM_TAGS = { int: 1, uint: 2, llong: 3, ullong: 4, double: 5, boolean: 6, string: 7 } as const;

export const typedParamValue: XdrCodec<TypedParamValue> = {
  encode(w, v) {
    w.int(TYPED_PARAM_TAGS[v.type]);
    switch (v.type) {
      case 'int': w.int(v.value); break;
      case 'uint': w.uint(v.value); break;
      case 'llong': w.hyper(v.value); break;
      case 'ullong': w.uhyper(v.value); break;
      case 'double': w.double(v.value); break;
      case 'boolean': w.int(v.value ? 1 : 0); break;
      case 'string': w.string(v.value, REMOTE_STRING_MAX); break;
    }
  },
  decode(r) {
    const tag = r.int();
    switch (tag) {
      case 1: return { type: 'int', value: r.int() };
      case 2: return { type: 'uint', value: r.uint() };
      case 3: return { type: 'llong', value: r.hyper() };
      case 4: return { type: 'ullong', value: r.uhyper() };
      case 5: return { type: 'double', value: r.double() };
      case 6: return { type: 'boolean', value: r.int() !== 0 };
      case 7: return { type: 'string', value: r.string(REMOTE_STRING_MAX) };
      default: throw new XdrError(`unknown typed parameter type ${tag}`);
    }
  },
};

export const typedParam: XdrCodec<TypedParam> = struct<TypedParam>({ field: nonnullString, value: typedParamValue });

// ---- procedure helpers ---------------------------------------------------------------------

export function defineProc<A, R>(
  name: string,
  number: number,
  args: XdrCodec<A>,
  ret: XdrCodec<R>,
  priority?: 'high',
): ProcedureDef<A, R> {
  return priority ? { name, number, args, ret, priority } : { name, number, args, ret };
}

/** Ret structs of a single field are unwrapped so callers get the value itself. */
export function single<T>(field: string, codec: XdrCodec<T>): XdrCodec<T> {
  return mapCodec(
    struct<Record<string, T>>({ [field]: codec }),
    (s) => s[field] as T,
    (v) => ({ [field]: v }),
  );
}

/** Args of the many `{ T handle; unsigned int flags; }` calls. */
export interface WithFlags {
  flags: number;
}

/** `{ int need_results; unsigned int flags; }` of the CONNECT_LIST_ALL_* calls. */
export interface ListAllArgs {
  needResults: boolean;
  flags: number;
}
export const listAllArgs: XdrCodec<ListAllArgs> = struct<ListAllArgs>({ needResults: xdrIntBool, flags: xdrUint });

/** `{ T items<MAX>; unsigned int ret; }` of the CONNECT_LIST_ALL_* calls. */
export interface ListAllRet<T> {
  items: T[];
  count: number;
}
export function listAllRet<T>(item: XdrCodec<T>, max: number): XdrCodec<ListAllRet<T>> {
  return struct<ListAllRet<T>>({ items: arrayOf(item, max), count: xdrUint });
}
