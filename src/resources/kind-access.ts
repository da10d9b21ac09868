// Reaching a kind's logic by a kind known only at run time, without casts. The registry is a
// mapped type, so `registry[kind]` for a generic K is ResourceKind<K>: the object's kind and the
// logic handling it stay correlated through K. Callers holding a change or a manifest of some
// kind pass its `kind` and get the ResourceKind that accepts exactly that change or manifest.
import type { ManifestKind } from '../manifests/types.js';
import type { KindRegistry } from './registry.js';
import type { ResourceKind } from './types.js';

/** The ResourceKind handling objects of `kind`. */
export function kindFor<K extends ManifestKind>(registry: KindRegistry, kind: K): ResourceKind<K> {
  return registry[kind];
}
