// A scripted RpcCaller: answers calls from a handler and lets tests push MESSAGE packets.
import type { ProcedureDef, RpcCaller, ServerMessage } from '../../../../src/libvirt/rpc-types.js';
import { REMOTE_PROGRAM } from '../../../../src/libvirt/rpc-types.js';
import { XdrReader, XdrWriter } from '../../../../src/libvirt/xdr.js';

export interface RecordedCall {
  name: string;
  number: number;
  args: unknown;
}

export class FakeCaller implements RpcCaller {
  readonly calls: RecordedCall[] = [];
  private readonly listeners = new Set<(msg: ServerMessage) => void>();

  /** Returns the ret value for a call, or throws to make it fail. */
  constructor(private readonly answer: (name: string, args: unknown) => unknown) {}

  async call<A, R>(proc: ProcedureDef<A, R>, args: A): Promise<R> {
    // Go through the codecs as the real connection does, so layout mistakes still show.
    const w = new XdrWriter();
    proc.args.encode(w, args);
    const decodedArgs = proc.args.decode(new XdrReader(w.toBuffer()));
    this.calls.push({ name: proc.name, number: proc.number, args: decodedArgs });
    const ret = this.answer(proc.name, decodedArgs) as R;
    const rw = new XdrWriter();
    proc.ret.encode(rw, ret);
    const r = new XdrReader(rw.toBuffer());
    const out = proc.ret.decode(r);
    r.end();
    return out;
  }

  onMessage(listener: (msg: ServerMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  /** Delivers a MESSAGE synchronously, as the connection does while parsing a chunk. */
  push(procedure: number, body: Buffer, program = REMOTE_PROGRAM): void {
    for (const l of [...this.listeners]) l({ program, procedure, body });
  }
}

/** A LibvirtError-shaped failure (structural: the client only looks at `code`). */
export function libvirtFailure(code: number, message = `code ${code}`): Error & { code: number } {
  return Object.assign(new Error(message), { code });
}
