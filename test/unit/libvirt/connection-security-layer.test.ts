// RpcConnection with a SASL security layer installed: every frame out is sealed, every byte in is
// opened before framing, keepalive included, and a packet that fails its MAC ends the connection.
import { describe, expect, it } from 'vitest';
import { Duplex, PassThrough } from 'node:stream';
import { RpcConnection, KEEPALIVE_PROGRAM } from '../../../src/libvirt/connection.js';
import { FrameDecoder, MessageStatus, MessageType, encodePacket, type Packet } from '../../../src/libvirt/frame.js';
import { ProtocolError } from '../../../src/libvirt/errors.js';
import { XdrWriter, type XdrCodec } from '../../../src/libvirt/xdr.js';
import type { ProcedureDef } from '../../../src/libvirt/rpc-types.js';
import { DIGEST_CIPHERS, DigestMd5Layer, deriveLayerKeys, type LayerKeys } from '../../../src/libvirt/auth/digest-md5-layer.js';
import { SaslSecurityLayer } from '../../../src/libvirt/security-layer.js';

const intCodec: XdrCodec<number> = { encode: (w, v) => void w.int(v), decode: (r) => r.int() };
const ECHO: ProcedureDef<number, number> = { name: 'TEST_ECHO', number: 900, args: intCodec, ret: intCodec };
const rc4 = DIGEST_CIPHERS.find((c) => c.name === 'rc4')!;
const mirror = (k: LayerKeys): LayerKeys => ({
  sealSend: k.sealReceive,
  sealReceive: k.sealSend,
  signSend: k.signReceive,
  signReceive: k.signSend,
});

/** A connection over in-memory pipes, and a peer that speaks through the mirrored layer. */
function sealedPair() {
  const toPeer = new PassThrough();
  const fromPeer = new PassThrough();
  const conn = new RpcConnection(Duplex.from({ readable: fromPeer, writable: toPeer }), { callTimeoutMs: 5000 });
  const keys = deriveLayerKeys(Buffer.alloc(16, 9), rc4);
  const limits = { maxMessageBytes: 1000, maxPacketBytes: 65_536 };
  const clientLayer = new SaslSecurityLayer(new DigestMd5Layer(keys, rc4), limits);
  const peerLayer = new SaslSecurityLayer(new DigestMd5Layer(mirror(keys), rc4), limits);
  const decoder = new FrameDecoder();
  const received: Packet[] = [];
  const wire: Buffer[] = [];
  toPeer.on('data', (chunk: Buffer) => {
    wire.push(chunk);
    for (const p of decoder.push(peerLayer.unwrap(chunk))) {
      received.push(p);
      if (p.type === MessageType.CALL) {
        const w = new XdrWriter();
        w.int(new DataView(p.body.buffer, p.body.byteOffset).getInt32(0) * 2);
        fromPeer.write(peerLayer.wrap(encodePacket({ ...p, type: MessageType.REPLY, status: MessageStatus.OK }, w.toBuffer())));
      }
    }
  });
  return { conn, clientLayer, peerLayer, fromPeer, received, wire };
}

describe('RpcConnection with a security layer', () => {
  it('seals calls and opens replies, pipelined calls included', async () => {
    const { conn, clientLayer, received, wire } = sealedPair();
    conn.useSecurityLayer(clientLayer);
    expect(await Promise.all([conn.call(ECHO, 21), conn.call(ECHO, 50)])).toEqual([42, 100]);
    expect(received.map((p) => p.procedure)).toEqual([900, 900]);
    // The frames never appear in the clear on the wire.
    expect(Buffer.concat(wire).includes(Buffer.from([0x00, 0x00, 0x03, 0x84]))).toBe(false);
    await conn.close();
  });

  it('answers keepalive pings through the layer', async () => {
    const { conn, clientLayer, peerLayer, fromPeer, received } = sealedPair();
    conn.useSecurityLayer(clientLayer);
    fromPeer.write(
      peerLayer.wrap(
        encodePacket({ program: KEEPALIVE_PROGRAM, version: 1, procedure: 1, type: MessageType.MESSAGE, serial: 0, status: 0 }),
      ),
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(received.map((p) => [p.program, p.procedure])).toEqual([[KEEPALIVE_PROGRAM, 2]]);
    await conn.close();
  });

  it('a packet that fails its check ends the connection as a protocol error', async () => {
    const { conn, clientLayer, peerLayer, fromPeer } = sealedPair();
    conn.useSecurityLayer(clientLayer);
    const forged = peerLayer.wrap(
      encodePacket({ program: KEEPALIVE_PROGRAM, version: 1, procedure: 1, type: MessageType.MESSAGE, serial: 0, status: 0 }),
    );
    forged[8]! ^= 0xff;
    fromPeer.write(forged);
    const info = await conn.disconnected;
    expect(info.reason).toBe('protocol-error');
    expect(info.error).toBeInstanceOf(ProtocolError);
    expect(info.error?.message).toMatch(/SASL DIGEST-MD5 packet MAC does not match/);
  });

  it('refuses to start the layer with a call in flight (the daemon would already be past the switch)', async () => {
    const toPeer = new PassThrough();
    const conn = new RpcConnection(Duplex.from({ readable: new PassThrough(), writable: toPeer }), { callTimeoutMs: 0 });
    const pending = conn.call(ECHO, 1).catch((err: Error) => err);
    expect(() => conn.useSecurityLayer({ wrap: (b) => b, unwrap: (b) => b })).toThrow(/calls in flight/);
    await conn.close();
    expect(await pending).toBeInstanceOf(Error);
  });
});
