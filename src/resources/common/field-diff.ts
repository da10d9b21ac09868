// Collects FieldChanges. A field counts only when the manifest sets it (desired !== undefined):
// values libvirt fills in on its own are never drift.
import type { ChangeClass, FieldChange } from '../types.js';
import { sameValue } from './compare.js';

export class FieldDiff {
  readonly changes: FieldChange[] = [];

  /**
   * Records a change when the manifest sets the field and its normalised value differs from the
   * live one. `norm` maps both sides to a comparable form; before/after keep manifest notation.
   */
  field<T>(path: string, desired: T | undefined, live: T | undefined, cls: ChangeClass, norm: (v: T) => unknown = (v) => v): void {
    if (desired === undefined) return;
    const d = norm(desired);
    const l = live === undefined ? undefined : norm(live);
    if (!sameValue(d, l)) this.changes.push({ path, before: live, after: desired, class: cls });
  }

  add(change: FieldChange): void {
    this.changes.push(change);
  }

  has(cls: ChangeClass): boolean {
    return this.changes.some((c) => c.class === cls);
  }
}
