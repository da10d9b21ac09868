// remote_uuid as a canonical string. Hand-written because it is a choice of representation, not
// a layout: the generated layer (remote-types.ts) maps every `remote_uuid` onto this codec so
// callers and XML compare UUIDs as the same lowercase text.
import { XdrError, type XdrCodec } from './xdr.js';

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** Canonical lowercase 8-4-4-4-12 form, which is how libvirt prints UUIDs in XML. */
export function uuidToString(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new XdrError(`uuid must be 16 bytes, got ${bytes.length}`);
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Accepts the forms libvirt accepts for a UUID string (with or without dashes). */
export function uuidToBytes(uuid: string): Buffer {
  if (!UUID_RE.test(uuid)) throw new XdrError(`invalid uuid: ${JSON.stringify(uuid)}`);
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

/** remote_uuid: opaque[VIR_UUID_BUFLEN], exposed as a canonical string. */
export const uuidCodec: XdrCodec<string> = {
  encode: (w, v) => void w.fixedOpaque(uuidToBytes(v), 16),
  decode: (r) => uuidToString(r.fixedOpaque(16)),
};
