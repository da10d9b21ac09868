// libvirt lifecycle event → the queue keys it concerns, as each kind's contract says. Pure, so
// the mapping is unit-tested without a daemon.
import type { LifecycleKind } from '../libvirt/events.js';
import { kindKey } from '../manifests/keys.js';
import type { DesiredState, IdentityKey } from '../manifests/types.js';
import { KIND_DEFINITIONS, type KindDefinitions } from '../resources/definitions.js';
import type { ResourceChange } from '../resources/types.js';

/** The part of a lifecycle event the mapping needs; src/libvirt/events.ts events satisfy it. */
export interface LifecycleEventRef {
  /** The event source (src/libvirt/events.ts LifecycleKind); kinds name theirs in their contract. */
  kind: LifecycleKind | (string & {});
  name: string;
  /** What happened ("started", "defined", ...), when known. */
  event?: string;
}

/**
 * The lifecycle events a change's steps make libvirt send, one entry per event: the echo of our
 * own work, which the daemon need not reconcile again. Anything else about the object is news.
 */
export function expectedEvents(change: Pick<ResourceChange, 'steps'>): string[] {
  const out: string[] = [];
  for (const step of change.steps) out.push(...(STEP_EVENTS[step.op] ?? []));
  return out;
}

const STEP_EVENTS: Record<string, readonly string[]> = {
  define: ['defined'],
  undefine: ['undefined'],
  start: ['started'],
  destroy: ['stopped'],
  shutdown: ['shutdown', 'stopped'],
  suspend: ['suspended'],
  resume: ['resumed'],
  build: ['created'],
  delete: ['deleted'],
};

/**
 * Keys to reconcile after an event: the kind whose events come from the event's source says
 * which (a pool's event concerns its volumes too; a node device's, the NodeDevice manifests of its
 * address). Objects nobody manages are ignored: an event about a foreign domain must not cost a
 * reconcile. `managed` holds every key the daemon reconciles (desired, plus owned ones under --prune).
 */
export function keysForEvent(
  event: LifecycleEventRef,
  desired: DesiredState | null,
  managed: ReadonlySet<IdentityKey>,
  definitions: KindDefinitions = KIND_DEFINITIONS,
): IdentityKey[] {
  const keys: IdentityKey[] = [];
  for (const definition of definitions.ordered) {
    const events = definition.events;
    if (events?.source !== event.kind) continue;
    keys.push(...(events.keys ? events.keys(event.name, desired, managed) : [kindKey(definition.kind, event.name)]));
  }
  return [...new Set(keys.filter((k) => managed.has(k)))].sort();
}

/**
 * The key whose own changes this event may echo (the daemon ignores the events its steps make
 * libvirt send), or undefined for kinds whose events are never taken for echoes. The controller
 * used to hold this as ECHO_SUBJECT.
 */
export function echoKey(event: LifecycleEventRef, definitions: KindDefinitions = KIND_DEFINITIONS): IdentityKey | undefined {
  const definition = definitions.ordered.find((d) => d.events?.source === event.kind && d.events.echoes);
  return definition && kindKey(definition.kind, event.name);
}
