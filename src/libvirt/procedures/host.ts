// Connection-level and node procedures used for host-info and capability checks.
import { xdrVoid, type XdrCodec } from '../xdr.js';
import { defineProc, nonnullString, single, struct, xdrInt, xdrUhyper } from './common.js';
import * as P from '../generated/remote-procedures.js';

/** remote_node_get_info_ret. */
export interface NodeInfoRet {
  /** CPU model, NUL-padded in `char model[32]` on the wire. */
  model: string;
  /** Memory size in KiB. */
  memory: bigint;
  cpus: number;
  mhz: number;
  nodes: number;
  sockets: number;
  cores: number;
  threads: number;
}

/**
 * `char model[32]` is a fixed array of 32 xdr_char: 32 four-byte ints, not 32 bytes.
 * The C string ends at the first NUL.
 */
const model32: XdrCodec<string> = {
  encode(w, v) {
    const bytes = Buffer.from(v, 'utf8');
    if (bytes.length > 31) throw new RangeError(`model name longer than 31 bytes: ${v}`);
    for (let i = 0; i < 32; i++) w.int(i < bytes.length ? (bytes[i]! << 24) >> 24 : 0);
  },
  decode(r) {
    const bytes: number[] = [];
    let ended = false;
    for (let i = 0; i < 32; i++) {
      const c = r.int() & 0xff;
      if (c === 0) ended = true;
      if (!ended) bytes.push(c);
    }
    return Buffer.from(bytes).toString('utf8');
  },
};

export const nodeGetInfoRet: XdrCodec<NodeInfoRet> = struct<NodeInfoRet>({
  model: model32,
  memory: xdrUhyper,
  cpus: xdrInt,
  mhz: xdrInt,
  nodes: xdrInt,
  sockets: xdrInt,
  cores: xdrInt,
  threads: xdrInt,
});

export const CONNECT_GET_TYPE = defineProc('CONNECT_GET_TYPE', P.REMOTE_PROC_CONNECT_GET_TYPE, xdrVoid, single('type', nonnullString), 'high');
/** Hypervisor version as major*1,000,000 + minor*1,000 + release. */
export const CONNECT_GET_VERSION = defineProc('CONNECT_GET_VERSION', P.REMOTE_PROC_CONNECT_GET_VERSION, xdrVoid, single('hv_ver', xdrUhyper), 'high');
export const NODE_GET_INFO = defineProc('NODE_GET_INFO', P.REMOTE_PROC_NODE_GET_INFO, xdrVoid, nodeGetInfoRet, 'high');
export const CONNECT_GET_CAPABILITIES = defineProc('CONNECT_GET_CAPABILITIES', P.REMOTE_PROC_CONNECT_GET_CAPABILITIES, xdrVoid, single('capabilities', nonnullString));
export const CONNECT_GET_HOSTNAME = defineProc('CONNECT_GET_HOSTNAME', P.REMOTE_PROC_CONNECT_GET_HOSTNAME, xdrVoid, single('hostname', nonnullString), 'high');
export const CONNECT_GET_URI = defineProc('CONNECT_GET_URI', P.REMOTE_PROC_CONNECT_GET_URI, xdrVoid, single('uri', nonnullString), 'high');
/** libvirt (daemon) version, same encoding as CONNECT_GET_VERSION. */
export const CONNECT_GET_LIB_VERSION = defineProc('CONNECT_GET_LIB_VERSION', P.REMOTE_PROC_CONNECT_GET_LIB_VERSION, xdrVoid, single('lib_ver', xdrUhyper), 'high');
