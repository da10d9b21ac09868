// Whether each network or pool is active, persistent and set to autostart, learnt from three
// filtered listings instead of three calls per object. A driver that rejects the filters gets
// the per-object calls. Objects are matched by name: unique within a kind, like the uuid.
import type { ListFilter } from '../../libvirt/client.js';
import { hasErrorCode, VIR_ERR_INVALID_ARG, VIR_ERR_NO_SUPPORT } from '../../libvirt/errors.js';
import { mapBounded, READ_CONCURRENCY, unlessGone } from './bounded.js';

export interface LifecycleFacts {
  active: boolean;
  persistent: boolean;
  autostart: boolean;
}

export interface PerObjectFacts<R> {
  active(ref: R): Promise<boolean>;
  persistent(ref: R): Promise<boolean>;
  autostart(ref: R): Promise<boolean>;
}

/** The driver rejected a filtered listing (old or minimal drivers): ask each object instead. */
export function filtersRejected(err: unknown): boolean {
  return hasErrorCode(err, VIR_ERR_INVALID_ARG) || hasErrorCode(err, VIR_ERR_NO_SUPPORT);
}

async function askEach<R>(perObject: PerObjectFacts<R>, ref: R): Promise<LifecycleFacts> {
  const [active, persistent, autostart] = await Promise.all([perObject.active(ref), perObject.persistent(ref), perObject.autostart(ref)]);
  return { active, persistent, autostart };
}

export async function lifecycleFacts<R extends { name: string }>(
  list: (filter: ListFilter) => Promise<R[]>,
  perObject: PerObjectFacts<R>,
): Promise<(ref: R) => Promise<LifecycleFacts>> {
  let lists: R[][];
  try {
    lists = await Promise.all([list({ active: true }), list({ persistent: true }), list({ autostart: true })]);
  } catch (err) {
    if (!filtersRejected(err)) throw err;
    return (ref) => askEach(perObject, ref);
  }
  const [active, persistent, autostart] = lists.map((refs) => new Set(refs.map((r) => r.name))) as [Set<string>, Set<string>, Set<string>];
  return async (ref) => ({ active: active.has(ref.name), persistent: persistent.has(ref.name), autostart: autostart.has(ref.name) });
}

/** What a kind with active/persistent/autostart objects (networks, pools, interfaces) gives to be read in bulk or by name. */
export interface LifecycleKindReader<R extends { name: string }, O> {
  list(filter?: ListFilter): Promise<R[]>;
  lookup(name: string): Promise<R | null>;
  facts: PerObjectFacts<R>;
  /** Facts of every object at once, for kinds whose listings filter on less; default: three filtered listings. */
  bulkFacts?(): Promise<(ref: R) => Promise<LifecycleFacts>>;
  /** The object's persistent XML read and turned into a live resource. */
  read(ref: R, facts: LifecycleFacts): Promise<O>;
  /** libvirt's "no such object" code: one removed between listing and reading is left out. */
  goneCode: number;
}

/** Every object of the kind: facts from three listings, a few XML reads in flight. */
export async function readAllWithFacts<R extends { name: string }, O>(reader: LifecycleKindReader<R, O>): Promise<O[]> {
  const [refs, factsOf] = await Promise.all([
    reader.list(),
    reader.bulkFacts ? reader.bulkFacts() : lifecycleFacts((filter) => reader.list(filter), reader.facts),
  ]);
  return mapBounded(refs, READ_CONCURRENCY, async (ref) =>
    unlessGone(
      factsOf(ref).then((facts) => reader.read(ref, facts)),
      reader.goneCode,
    ),
  );
}

/** One object by name, undefined when there is none; its facts asked of it directly. */
export async function readOneWithFacts<R extends { name: string }, O>(
  reader: LifecycleKindReader<R, O>,
  name: string,
): Promise<O | undefined> {
  const ref = await reader.lookup(name);
  if (!ref) return undefined;
  return unlessGone(
    askEach(reader.facts, ref).then((facts) => reader.read(ref, facts)),
    reader.goneCode,
  );
}
