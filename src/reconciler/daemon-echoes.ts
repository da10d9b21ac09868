// libvirt tells every client about every change, the daemon included: the events our own
// changes cause (1,000 domain starts send 2,000) are their echo, not news, and cost no
// reconcile. Each change registers the events it will cause; each is used up once, until
// shortly after the change ended (events are sent as things happen and replies may overtake
// them). Pure apart from the clock the caller passes in.
import type { IdentityKey } from '../manifests/types.js';
import type { ResourceChange } from '../resources/types.js';
import { expectedEvents, type LifecycleEventRef } from './event-keys.js';

/** How long after a change events about its object may still be its echo. */
export const ECHO_GRACE_MS = 2000;

interface Echo {
  events: string[];
  until: number;
}

export class EchoFilter {
  readonly #echoes = new Map<IdentityKey, Echo>();

  /** `changes` are about to run: their events are expected until `settled` is called for them. */
  expect(changes: readonly ResourceChange[]): void {
    for (const change of changes)
      if (change.action !== 'no-op') this.#echoes.set(change.key, { events: expectedEvents(change), until: Infinity });
  }

  /** `changes` ran: their echoes may still arrive for ECHO_GRACE_MS. */
  settled(changes: readonly ResourceChange[], now: number): void {
    const until = now + ECHO_GRACE_MS;
    for (const change of changes) {
      const echo = this.#echoes.get(change.key);
      if (echo) echo.until = until;
    }
  }

  /** True (and that echo used up) when the event is one our last change of `key` caused. */
  isEcho(key: IdentityKey, event: LifecycleEventRef, now: number): boolean {
    const echo = this.#echoes.get(key);
    if (!echo) return false;
    if (echo.until <= now) {
      this.#echoes.delete(key);
      return false;
    }
    const index = event.event === undefined ? -1 : echo.events.indexOf(event.event);
    if (index < 0) return false;
    echo.events.splice(index, 1);
    if (echo.events.length === 0) this.#echoes.delete(key);
    return true;
  }
}
