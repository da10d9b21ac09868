// An RpcCaller that stands where the connection does, at the bytes: it encodes each call's args
// with the procedure's (generated) codec and decodes a scripted reply body with its ret codec,
// insisting every byte is used, as RpcConnection does. Façade tests then compare wire bytes.
import type { ProcedureDef, RpcCaller, ServerMessage } from '../../../../src/libvirt/rpc-types.js';
import { decode, encode } from './helpers.js';

export interface SentCall {
  name: string;
  number: number;
  body: Buffer;
}

export class WireCaller implements RpcCaller {
  readonly sent: SentCall[] = [];

  /** `reply` gives the REPLY body for a procedure (empty for a void ret). */
  constructor(private readonly reply: (name: string) => Buffer = () => Buffer.alloc(0)) {}

  async call<A, R>(proc: ProcedureDef<A, R>, args: A): Promise<R> {
    this.sent.push({ name: proc.name, number: proc.number, body: encode(proc.args, args) });
    return decode(proc.ret, this.reply(proc.name));
  }

  onMessage(_listener: (msg: ServerMessage) => void): () => void {
    return () => {};
  }

  /** The args body of the only call made. */
  get only(): SentCall {
    if (this.sent.length !== 1) throw new Error(`expected one call, got ${this.sent.map((c) => c.name).join(', ')}`);
    return this.sent[0]!;
  }
}
