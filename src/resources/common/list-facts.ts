// Whether each network or pool is active, persistent and set to autostart, learnt from three
// filtered listings instead of three calls per object. A driver that rejects the filters gets
// the per-object calls.
import type { ListFilter } from '../../libvirt/client.js';
import { hasErrorCode, VIR_ERR_INVALID_ARG, VIR_ERR_NO_SUPPORT } from '../../libvirt/errors.js';

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

export async function lifecycleFacts<R extends { uuid: string }>(
  list: (filter: ListFilter) => Promise<R[]>,
  perObject: PerObjectFacts<R>,
): Promise<(ref: R) => Promise<LifecycleFacts>> {
  let lists: R[][];
  try {
    lists = await Promise.all([list({ active: true }), list({ persistent: true }), list({ autostart: true })]);
  } catch (err) {
    if (!hasErrorCode(err, VIR_ERR_INVALID_ARG) && !hasErrorCode(err, VIR_ERR_NO_SUPPORT)) throw err;
    return async (ref) => {
      const [active, persistent, autostart] = await Promise.all([perObject.active(ref), perObject.persistent(ref), perObject.autostart(ref)]);
      return { active, persistent, autostart };
    };
  }
  const [active, persistent, autostart] = lists.map((refs) => new Set(refs.map((r) => r.uuid))) as [Set<string>, Set<string>, Set<string>];
  return async (ref) => ({ active: active.has(ref.uuid), persistent: persistent.has(ref.uuid), autostart: autostart.has(ref.uuid) });
}
