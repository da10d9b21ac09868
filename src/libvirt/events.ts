// Lifecycle events for domains, networks, storage pools and node devices, decoded to typed
// objects. The controller uses them to requeue objects that changed behind its back.
import { XdrReader, type XdrCodec } from './xdr.js';
import { REMOTE_PROGRAM, type ProcedureDef, type RpcCaller, type ServerMessage } from './rpc-types.js';
import * as ev from './procedures/events.js';
import type { LifecycleMsg, RegisterAnyArgs } from './procedures/events.js';

export type DomainEventType = (typeof ev.DOMAIN_EVENT_TYPES)[number];
export type NetworkEventType = (typeof ev.NETWORK_EVENT_TYPES)[number];
export type StoragePoolEventType = (typeof ev.STORAGE_POOL_EVENT_TYPES)[number];
export type NodeDeviceEventType = (typeof ev.NODE_DEVICE_EVENT_TYPES)[number];

/**
 * `event` is 'unknown' for an event type newer than this table; `code` always carries the raw
 * value and `detail` the per-event detail enum (e.g. VIR_DOMAIN_EVENT_STARTED_BOOTED = 0).
 */
export interface DomainLifecycleEvent {
  kind: 'domain';
  name: string;
  uuid: string;
  /** Domain id at the time of the event (-1 when not running). */
  id: number;
  event: DomainEventType | 'unknown';
  code: number;
  detail: number;
}
export interface NetworkLifecycleEvent {
  kind: 'network';
  name: string;
  uuid: string;
  event: NetworkEventType | 'unknown';
  code: number;
  detail: number;
}
export interface StoragePoolLifecycleEvent {
  kind: 'storagePool';
  name: string;
  uuid: string;
  event: StoragePoolEventType | 'unknown';
  code: number;
  detail: number;
}
export interface NodeDeviceLifecycleEvent {
  kind: 'nodeDevice';
  name: string;
  event: NodeDeviceEventType | 'unknown';
  code: number;
  detail: number;
}
export type LifecycleEvent = DomainLifecycleEvent | NetworkLifecycleEvent | StoragePoolLifecycleEvent | NodeDeviceLifecycleEvent;
export type LifecycleKind = LifecycleEvent['kind'];

export const LIFECYCLE_KINDS: readonly LifecycleKind[] = ['domain', 'network', 'storagePool', 'nodeDevice'];

export interface LifecycleHandlers {
  domain?: (e: DomainLifecycleEvent) => void;
  network?: (e: NetworkLifecycleEvent) => void;
  storagePool?: (e: StoragePoolLifecycleEvent) => void;
  nodeDevice?: (e: NodeDeviceLifecycleEvent) => void;
  /** Every event of every kind subscribed; kinds without their own handler are subscribed when this is set. */
  any?: (e: LifecycleEvent) => void;
  /** A MESSAGE we registered for but could not decode; the subscription keeps running. */
  onError?: (err: unknown) => void;
}

export interface LifecycleSubscription {
  /** Kinds the daemon accepted a registration for. */
  readonly subscribed: readonly LifecycleKind[];
  /** Kinds whose registration failed (e.g. a driver without node device events), with why. */
  readonly unsupported: readonly { kind: LifecycleKind; error: unknown }[];
  /** Deregisters every callback and stops listening; safe to call twice or after disconnect. */
  dispose(): Promise<void>;
}

/** Anything that exposes the RpcCaller, i.e. a LibvirtClient. */
export interface HasRpc {
  readonly rpc: RpcCaller;
}

function name<T extends string>(table: readonly T[], code: number): T | 'unknown' {
  return table[code] ?? 'unknown';
}

interface KindSpec {
  /** Registers for every object of the kind; resolves with the callbackID. */
  register: (rpc: RpcCaller) => Promise<number>;
  deregister: ProcedureDef<number, void>;
  messageProc: number;
  decode: (body: Buffer) => { callbackID: number; event: LifecycleEvent };
}

function decoder<H>(codec: XdrCodec<LifecycleMsg<H>>, toEvent: (m: LifecycleMsg<H>) => LifecycleEvent) {
  return (body: Buffer): { callbackID: number; event: LifecycleEvent } => {
    const r = new XdrReader(body);
    const msg = codec.decode(r);
    r.end();
    return { callbackID: msg.callbackID, event: toEvent(msg) };
  };
}

export const decodeDomainLifecycle = decoder(ev.domainLifecycleMsg, (m) => ({
  kind: 'domain',
  name: m.object.name,
  uuid: m.object.uuid,
  id: m.object.id,
  event: name(ev.DOMAIN_EVENT_TYPES, m.event),
  code: m.event,
  detail: m.detail,
}));
export const decodeNetworkLifecycle = decoder(ev.networkLifecycleMsg, (m) => ({
  kind: 'network',
  name: m.object.name,
  uuid: m.object.uuid,
  event: name(ev.NETWORK_EVENT_TYPES, m.event),
  code: m.event,
  detail: m.detail,
}));
export const decodeStoragePoolLifecycle = decoder(ev.storagePoolLifecycleMsg, (m) => ({
  kind: 'storagePool',
  name: m.object.name,
  uuid: m.object.uuid,
  event: name(ev.STORAGE_POOL_EVENT_TYPES, m.event),
  code: m.event,
  detail: m.detail,
}));
export const decodeNodeDeviceLifecycle = decoder(ev.nodeDeviceLifecycleMsg, (m) => ({
  kind: 'nodeDevice',
  name: m.object.name,
  event: name(ev.NODE_DEVICE_EVENT_TYPES, m.event),
  code: m.event,
  detail: m.detail,
}));

function registerAll<H>(proc: ProcedureDef<RegisterAnyArgs<H>, number>, eventID: number) {
  return (rpc: RpcCaller): Promise<number> => rpc.call(proc, { eventID, object: null });
}

const KINDS: { readonly [K in LifecycleKind]: KindSpec } = {
  domain: {
    register: registerAll(ev.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, ev.VIR_DOMAIN_EVENT_ID_LIFECYCLE),
    deregister: ev.CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
    messageProc: ev.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE,
    decode: decodeDomainLifecycle,
  },
  network: {
    register: registerAll(ev.CONNECT_NETWORK_EVENT_REGISTER_ANY, ev.VIR_NETWORK_EVENT_ID_LIFECYCLE),
    deregister: ev.CONNECT_NETWORK_EVENT_DEREGISTER_ANY,
    messageProc: ev.REMOTE_PROC_NETWORK_EVENT_LIFECYCLE,
    decode: decodeNetworkLifecycle,
  },
  storagePool: {
    register: registerAll(ev.CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY, ev.VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE),
    deregister: ev.CONNECT_STORAGE_POOL_EVENT_DEREGISTER_ANY,
    messageProc: ev.REMOTE_PROC_STORAGE_POOL_EVENT_LIFECYCLE,
    decode: decodeStoragePoolLifecycle,
  },
  nodeDevice: {
    register: registerAll(ev.CONNECT_NODE_DEVICE_EVENT_REGISTER_ANY, ev.VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE),
    deregister: ev.CONNECT_NODE_DEVICE_EVENT_DEREGISTER_ANY,
    messageProc: ev.REMOTE_PROC_NODE_DEVICE_EVENT_LIFECYCLE,
    decode: decodeNodeDeviceLifecycle,
  },
};

const KIND_BY_PROC = new Map<number, LifecycleKind>(LIFECYCLE_KINDS.map((k) => [KINDS[k].messageProc, k]));

/**
 * Registers lifecycle callbacks for every kind that has a handler (or all kinds with `any`).
 * A kind the driver refuses is reported in `unsupported` instead of failing the whole call;
 * the promise rejects only if no kind at all could be subscribed and one was asked for.
 */
export async function subscribeLifecycleEvents(client: HasRpc, handlers: LifecycleHandlers): Promise<LifecycleSubscription> {
  const rpc = client.rpc;
  const wanted = LIFECYCLE_KINDS.filter((k) => handlers[k] !== undefined || handlers.any !== undefined);
  const ours = new Map<number, LifecycleKind>(); // callbackID → kind, per kind's own id space
  const key = (kind: LifecycleKind, id: number): number => LIFECYCLE_KINDS.indexOf(kind) * 2 ** 32 + id;

  // libvirtd may send an event right after the REGISTER reply, and the transport delivers it
  // before our await resumes with the callbackID: hold messages until registration settles.
  let registering = true;
  const held: ServerMessage[] = [];

  const deliver = (msg: ServerMessage): void => {
    const kind = KIND_BY_PROC.get(msg.procedure);
    if (kind === undefined) return;
    let decoded: { callbackID: number; event: LifecycleEvent };
    try {
      decoded = KINDS[kind].decode(msg.body);
    } catch (err) {
      handlers.onError?.(err);
      return;
    }
    if (ours.get(key(kind, decoded.callbackID)) !== kind) return; // another subscription's callback
    const e = decoded.event;
    try {
      switch (e.kind) {
        case 'domain': handlers.domain?.(e); break;
        case 'network': handlers.network?.(e); break;
        case 'storagePool': handlers.storagePool?.(e); break;
        case 'nodeDevice': handlers.nodeDevice?.(e); break;
      }
      handlers.any?.(e);
    } catch (err) {
      handlers.onError?.(err);
    }
  };

  const unlisten = rpc.onMessage((msg) => {
    if (msg.program !== REMOTE_PROGRAM || !KIND_BY_PROC.has(msg.procedure)) return;
    if (registering) held.push(msg);
    else deliver(msg);
  });

  const registered: { kind: LifecycleKind; callbackID: number }[] = [];
  const unsupported: { kind: LifecycleKind; error: unknown }[] = [];
  const results = await Promise.allSettled(
    wanted.map((kind) => KINDS[kind].register(rpc)),
  );
  results.forEach((res, i) => {
    const kind = wanted[i]!;
    if (res.status === 'fulfilled') {
      registered.push({ kind, callbackID: res.value });
      ours.set(key(kind, res.value), kind);
    } else {
      unsupported.push({ kind, error: res.reason });
    }
  });
  registering = false;
  for (const msg of held.splice(0)) deliver(msg);

  let disposed: Promise<void> | undefined;
  const dispose = (): Promise<void> => {
    disposed ??= (async () => {
      unlisten();
      await Promise.allSettled(registered.map(({ kind, callbackID }) => rpc.call(KINDS[kind].deregister, callbackID)));
    })();
    return disposed;
  };

  if (wanted.length > 0 && registered.length === 0) {
    await dispose();
    const first = unsupported[0]?.error;
    throw first instanceof Error ? first : new Error('no lifecycle event kind could be subscribed');
  }

  return { subscribed: registered.map((r) => r.kind), unsupported, dispose };
}
