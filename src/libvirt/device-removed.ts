// Waiting for a hot-unplug to finish. virDomainDetachDeviceFlags only asks the guest to let a
// device go (QEMU's device_del); libvirt removes it from the live config when the guest has
// released it and then sends VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED with the device's alias. A
// watch is registered for one domain before the detach is asked, so the event cannot be missed.
import { XdrReader } from './xdr.js';
import { REMOTE_PROGRAM, type RpcCaller, type ServerMessage } from './rpc-types.js';
import type { RemoteNonnullDomain } from './generated/remote-types.js';
import { VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED } from './generated/constants.js';
import {
  CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
  CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
  DOMAIN_EVENT_CALLBACK_DEVICE_REMOVED,
} from './generated/remote-procedures.js';

export interface DeviceRemovedWatch {
  /** Resolves true once libvirt reports `alias` removed, false when `timeoutMs` passes first. */
  removed(alias: string, timeoutMs: number): Promise<boolean>;
  /** Deregisters; safe to call twice or after the connection is gone. */
  dispose(): Promise<void>;
}

export async function watchDeviceRemoved(rpc: RpcCaller, domain: RemoteNonnullDomain): Promise<DeviceRemovedWatch> {
  // Messages may arrive before the REGISTER reply tells our callbackID: keep them all, filter later.
  const seen: Array<{ callbackID: number; alias: string }> = [];
  const waiters = new Set<() => void>();
  const unlisten = rpc.onMessage((msg: ServerMessage) => {
    if (msg.program !== REMOTE_PROGRAM || msg.procedure !== DOMAIN_EVENT_CALLBACK_DEVICE_REMOVED.number) return;
    try {
      const m = DOMAIN_EVENT_CALLBACK_DEVICE_REMOVED.msg.decode(new XdrReader(msg.body));
      seen.push({ callbackID: m.callbackID, alias: m.msg.devAlias });
    } catch {
      return; // not decodable: not an event this watch can use
    }
    for (const wake of waiters) wake();
  });
  let callbackID: number;
  try {
    callbackID = (await rpc.call(CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, { eventID: VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED, dom: domain }))
      .callbackID;
  } catch (err) {
    unlisten();
    throw err;
  }
  const has = (alias: string): boolean => seen.some((s) => s.callbackID === callbackID && s.alias === alias);
  let disposed: Promise<void> | undefined;
  return {
    removed(alias, timeoutMs) {
      if (has(alias)) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const done = (result: boolean): void => {
          clearTimeout(timer);
          waiters.delete(check);
          resolve(result);
        };
        const check = (): void => {
          if (has(alias)) done(true);
        };
        const timer = setTimeout(() => done(false), timeoutMs);
        waiters.add(check);
      });
    },
    dispose() {
      disposed ??= (async () => {
        unlisten();
        for (const wake of waiters) wake();
        await rpc.call(CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY, { callbackID }).catch(() => undefined);
      })();
      return disposed;
    },
  };
}
