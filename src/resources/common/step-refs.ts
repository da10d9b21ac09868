// The handle a define step got back from libvirt, kept for the change's later steps (start,
// autostart): asking libvirt for it again by name would cost a round trip per step. Keyed by the
// change object, so it lives exactly as long as the change being executed.
import type { ResourceChange } from '../types.js';

export class StepRefs<R> {
  readonly #refs = new WeakMap<ResourceChange, R>();

  remember(change: ResourceChange, ref: R): void {
    this.#refs.set(change, ref);
  }

  /** The remembered handle, if any. */
  known(change: ResourceChange): R | undefined {
    return this.#refs.get(change);
  }

  /** The remembered handle, else the lookup's. */
  async get(change: ResourceChange, lookup: () => Promise<R>): Promise<R> {
    const known = this.#refs.get(change);
    if (known !== undefined) return known;
    const ref = await lookup();
    this.#refs.set(change, ref);
    return ref;
  }

  /** The object is gone (undefined, deleted): a later step must not use its old handle. */
  forget(change: ResourceChange): void {
    this.#refs.delete(change);
  }
}
