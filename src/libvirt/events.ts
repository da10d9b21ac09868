// Lifecycle events for domains, networks, storage pools and node devices, decoded to typed
// objects. The controller uses them to requeue objects that changed behind its back.
// Registration, deregistration and the MESSAGE bodies are the generated definitions; MESSAGE
// packets are routed by the numbers of the generated events. Only the callback-based
// ("*_REGISTER_ANY" with a callbackID) forms are used: they let several subscriptions share one
// connection and tell the messages apart.
import { XdrReader } from './xdr.js';
import { REMOTE_PROGRAM, type EventDef, type RpcCaller, type ServerMessage } from './rpc-types.js';
import * as P from './generated/remote-procedures.js';
import * as C from './generated/constants.js';
import { DOMAIN_EVENT, NETWORK_EVENT, NODE_DEVICE_EVENT, STORAGE_POOL_EVENT } from './enum-names.js';

export type DomainEventType = (typeof DOMAIN_EVENT.names)[number];
export type NetworkEventType = (typeof NETWORK_EVENT.names)[number];
export type StoragePoolEventType = (typeof STORAGE_POOL_EVENT.names)[number];
export type NodeDeviceEventType = (typeof NODE_DEVICE_EVENT.names)[number];

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
  /** The connection beneath `rpc` when `rpc` wraps it; subscriptions are shared per connection. */
  readonly connection?: RpcCaller;
}

interface KindSpec {
  /** Registers for every object of the kind; resolves with the callbackID. */
  register: (rpc: RpcCaller) => Promise<number>;
  deregister: (rpc: RpcCaller, callbackID: number) => Promise<void>;
  /** The generated event whose MESSAGE packets carry this kind's lifecycle events. */
  messageProc: number;
  decode: (body: Buffer) => { callbackID: number; event: LifecycleEvent };
}

/** A MESSAGE body in the generated layout of `def`, every byte of it used. */
function decodeMessage<T>(def: EventDef<T>, body: Buffer): T {
  const r = new XdrReader(body);
  const msg = def.msg.decode(r);
  r.end();
  return msg;
}

/** remote_domain_event_callback_lifecycle_msg wraps remote_domain_event_lifecycle_msg after the callbackID. */
export function decodeDomainLifecycle(body: Buffer): { callbackID: number; event: DomainLifecycleEvent } {
  const { callbackID, msg: m } = decodeMessage(P.DOMAIN_EVENT_CALLBACK_LIFECYCLE, body);
  return {
    callbackID,
    event: {
      kind: 'domain',
      name: m.dom.name,
      uuid: m.dom.uuid,
      id: m.dom.id,
      event: DOMAIN_EVENT.name(m.event),
      code: m.event,
      detail: m.detail,
    },
  };
}
export function decodeNetworkLifecycle(body: Buffer): { callbackID: number; event: NetworkLifecycleEvent } {
  const m = decodeMessage(P.NETWORK_EVENT_LIFECYCLE, body);
  return {
    callbackID: m.callbackID,
    event: { kind: 'network', name: m.net.name, uuid: m.net.uuid, event: NETWORK_EVENT.name(m.event), code: m.event, detail: m.detail },
  };
}
export function decodeStoragePoolLifecycle(body: Buffer): { callbackID: number; event: StoragePoolLifecycleEvent } {
  const m = decodeMessage(P.STORAGE_POOL_EVENT_LIFECYCLE, body);
  return {
    callbackID: m.callbackID,
    event: {
      kind: 'storagePool',
      name: m.pool.name,
      uuid: m.pool.uuid,
      event: STORAGE_POOL_EVENT.name(m.event),
      code: m.event,
      detail: m.detail,
    },
  };
}
export function decodeNodeDeviceLifecycle(body: Buffer): { callbackID: number; event: NodeDeviceLifecycleEvent } {
  const m = decodeMessage(P.NODE_DEVICE_EVENT_LIFECYCLE, body);
  return {
    callbackID: m.callbackID,
    event: { kind: 'nodeDevice', name: m.dev.name, event: NODE_DEVICE_EVENT.name(m.event), code: m.event, detail: m.detail },
  };
}

// Every kind registers with a null object handle: one registration covers all objects of the kind.
const KINDS: { readonly [K in LifecycleKind]: KindSpec } = {
  domain: {
    register: async (rpc) =>
      (await rpc.call(P.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, { eventID: C.VIR_DOMAIN_EVENT_ID_LIFECYCLE, dom: null })).callbackID,
    deregister: (rpc, callbackID) => rpc.call(P.CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY, { callbackID }),
    messageProc: P.DOMAIN_EVENT_CALLBACK_LIFECYCLE.number,
    decode: decodeDomainLifecycle,
  },
  network: {
    register: async (rpc) =>
      (await rpc.call(P.CONNECT_NETWORK_EVENT_REGISTER_ANY, { eventID: C.VIR_NETWORK_EVENT_ID_LIFECYCLE, net: null })).callbackID,
    deregister: (rpc, callbackID) => rpc.call(P.CONNECT_NETWORK_EVENT_DEREGISTER_ANY, { callbackID }),
    messageProc: P.NETWORK_EVENT_LIFECYCLE.number,
    decode: decodeNetworkLifecycle,
  },
  storagePool: {
    register: async (rpc) =>
      (await rpc.call(P.CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY, { eventID: C.VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE, pool: null }))
        .callbackID,
    deregister: (rpc, callbackID) => rpc.call(P.CONNECT_STORAGE_POOL_EVENT_DEREGISTER_ANY, { callbackID }),
    messageProc: P.STORAGE_POOL_EVENT_LIFECYCLE.number,
    decode: decodeStoragePoolLifecycle,
  },
  nodeDevice: {
    register: async (rpc) =>
      (await rpc.call(P.CONNECT_NODE_DEVICE_EVENT_REGISTER_ANY, { eventID: C.VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE, dev: null })).callbackID,
    deregister: (rpc, callbackID) => rpc.call(P.CONNECT_NODE_DEVICE_EVENT_DEREGISTER_ANY, { callbackID }),
    messageProc: P.NODE_DEVICE_EVENT_LIFECYCLE.number,
    decode: decodeNodeDeviceLifecycle,
  },
};

const KIND_BY_PROC = new Map<number, LifecycleKind>(LIFECYCLE_KINDS.map((k) => [KINDS[k].messageProc, k]));

interface Subscriber {
  kinds: Set<LifecycleKind>;
  handlers: LifecycleHandlers;
}

interface Registration {
  /** Resolves with the daemon's callbackID; rejects when the driver refuses the kind. */
  ready: Promise<number>;
  callbackID: number | undefined;
  refs: number;
}

/**
 * libvirtd accepts one registration per event kind and connection ("event callback already
 * tracked"), so every subscription on a connection shares it: the hub registers a kind for its
 * first subscriber, fans each MESSAGE out, and deregisters after the last one leaves.
 */
class EventHub {
  private readonly registrations = new Map<LifecycleKind, Registration>();
  private readonly subscribers = new Set<Subscriber>();
  private unlisten: (() => void) | undefined;
  // libvirtd may send an event right after a REGISTER reply, and the transport delivers it before
  // the awaiting code learns the callbackID: hold messages while any registration is in flight.
  private inFlight = 0;
  private held: ServerMessage[] = [];

  constructor(
    private readonly rpc: RpcCaller,
    private readonly onEmpty: () => void,
  ) {}

  async subscribe(handlers: LifecycleHandlers, wanted: readonly LifecycleKind[]): Promise<LifecycleSubscription> {
    const subscriber: Subscriber = { kinds: new Set(), handlers };
    this.subscribers.add(subscriber);
    this.unlisten ??= this.rpc.onMessage((msg) => this.onMessage(msg));

    const unsupported: { kind: LifecycleKind; error: unknown }[] = [];
    await Promise.all(
      wanted.map(async (kind) => {
        try {
          await this.acquire(kind);
          subscriber.kinds.add(kind);
        } catch (error) {
          unsupported.push({ kind, error });
        }
      }),
    );
    unsupported.sort((a, b) => LIFECYCLE_KINDS.indexOf(a.kind) - LIFECYCLE_KINDS.indexOf(b.kind));
    this.flush();

    let disposed: Promise<void> | undefined;
    const dispose = (): Promise<void> => {
      disposed ??= this.leave(subscriber);
      return disposed;
    };
    return { subscribed: LIFECYCLE_KINDS.filter((k) => subscriber.kinds.has(k)), unsupported, dispose };
  }

  private async acquire(kind: LifecycleKind): Promise<void> {
    let reg = this.registrations.get(kind);
    if (!reg) {
      this.inFlight++;
      // Held messages are flushed by subscribe() once its subscriber knows its kinds.
      const ready = KINDS[kind].register(this.rpc).finally(() => {
        this.inFlight--;
      });
      const created: Registration = { ready, callbackID: undefined, refs: 0 };
      ready.then(
        (id) => {
          created.callbackID = id;
        },
        () => {
          if (this.registrations.get(kind) === created) this.registrations.delete(kind);
        },
      );
      this.registrations.set(kind, created);
      reg = created;
    }
    reg.refs++;
    try {
      await reg.ready;
    } catch (err) {
      reg.refs--;
      throw err;
    }
  }

  private async leave(subscriber: Subscriber): Promise<void> {
    this.subscribers.delete(subscriber);
    const releases: Promise<unknown>[] = [];
    for (const kind of subscriber.kinds) {
      const reg = this.registrations.get(kind);
      if (!reg || --reg.refs > 0) continue;
      this.registrations.delete(kind);
      if (reg.callbackID !== undefined) releases.push(KINDS[kind].deregister(this.rpc, reg.callbackID));
    }
    subscriber.kinds.clear();
    if (this.subscribers.size === 0) {
      this.unlisten?.();
      this.unlisten = undefined;
      this.onEmpty();
    }
    // A connection that is already gone has dropped the registrations with it.
    await Promise.allSettled(releases);
  }

  private onMessage(msg: ServerMessage): void {
    if (msg.program !== REMOTE_PROGRAM || !KIND_BY_PROC.has(msg.procedure)) return;
    if (this.inFlight > 0 || this.held.length > 0) this.held.push(msg);
    else this.deliver(msg);
  }

  private flush(): void {
    if (this.inFlight > 0) return;
    const held = this.held;
    this.held = [];
    for (const msg of held) this.deliver(msg);
  }

  private deliver(msg: ServerMessage): void {
    const kind = KIND_BY_PROC.get(msg.procedure)!;
    const reg = this.registrations.get(kind);
    const targets = [...this.subscribers].filter((s) => s.kinds.has(kind));
    let decoded: { callbackID: number; event: LifecycleEvent };
    try {
      decoded = KINDS[kind].decode(msg.body);
    } catch (err) {
      for (const s of targets) s.handlers.onError?.(err);
      return;
    }
    // Events for a registration made by other code on this connection are not ours.
    if (reg?.callbackID !== decoded.callbackID) return;
    for (const s of targets) dispatch(s.handlers, decoded.event);
  }
}

function dispatch(handlers: LifecycleHandlers, e: LifecycleEvent): void {
  try {
    switch (e.kind) {
      case 'domain':
        handlers.domain?.(e);
        break;
      case 'network':
        handlers.network?.(e);
        break;
      case 'storagePool':
        handlers.storagePool?.(e);
        break;
      case 'nodeDevice':
        handlers.nodeDevice?.(e);
        break;
    }
    handlers.any?.(e);
  } catch (err) {
    handlers.onError?.(err);
  }
}

const hubs = new WeakMap<RpcCaller, EventHub>();

/**
 * Registers lifecycle callbacks for every kind that has a handler (or all kinds with `any`).
 * A kind the driver refuses is reported in `unsupported` instead of failing the whole call;
 * the promise rejects only if kinds were asked for and none could be subscribed.
 * Subscriptions made through clients of the same connection share its registrations.
 */
export async function subscribeLifecycleEvents(client: HasRpc, handlers: LifecycleHandlers): Promise<LifecycleSubscription> {
  const key = client.connection ?? client.rpc;
  let hub = hubs.get(key);
  if (!hub) {
    const created = new EventHub(client.rpc, () => {
      if (hubs.get(key) === created) hubs.delete(key);
    });
    hubs.set(key, created);
    hub = created;
  }
  const wanted = LIFECYCLE_KINDS.filter((k) => handlers[k] !== undefined || handlers.any !== undefined);
  const sub = await hub.subscribe(handlers, wanted);
  if (wanted.length > 0 && sub.subscribed.length === 0) {
    await sub.dispose();
    const first = sub.unsupported[0]?.error;
    throw first instanceof Error ? first : new Error('no lifecycle event kind could be subscribed');
  }
  return sub;
}
