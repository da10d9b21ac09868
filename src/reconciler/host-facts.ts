// Host-wide facts a kind's plan depends on, read before planning. Today one: whether libvirt can
// define host interfaces here. A read-write connection (apply, the daemon) probes and remembers
// the answer in the state store; a read-only one (plan) cannot probe and uses what was
// remembered, so a plan in CI refuses interface changes a host cannot make.
import type { LibvirtClient } from '../libvirt/client.js';
import type { DesiredState } from '../manifests/types.js';
import type { HostFacts } from '../resources/types.js';
import { splitKey } from '../manifests/keys.js';
import { KIND_DEFINITIONS, type KindDefinitions } from '../resources/definitions.js';

/** Where a read-only plan finds what a read-write run learnt (the state store's HostState). */
export interface FactMemory {
  fact(name: string): string | undefined;
  rememberFact(name: string, value: string): void;
}

const INTERFACE_BACKEND = 'interface_backend';

function isBackend(v: string | undefined): v is NonNullable<HostFacts['interfaceBackend']> {
  return v === 'writable' || v === 'read-only' || v === 'unknown';
}

/**
 * Whether objects of a kind whose plans depend on the interface backend (its contract says so)
 * are managed: a manifest of one, or a record of one in `recordedKeys`.
 */
export function managesInterfaces(
  desired: DesiredState | undefined,
  recordedKeys: Iterable<string>,
  definitions: KindDefinitions = KIND_DEFINITIONS,
): boolean {
  const kinds = new Set(definitions.ordered.filter((d) => d.needsInterfaceBackend).map((d) => d.kind));
  if (kinds.size === 0) return false;
  return (
    (desired?.manifests.some((m) => kinds.has(m.manifest.kind)) ?? false) ||
    [...recordedKeys].some((k) => kinds.has(splitKey(k)?.kind ?? ''))
  );
}

/**
 * The facts for a plan against the host behind `client`. The interface driver is probed only
 * when `interfaces` are managed: the probe is a define libvirtd logs as an error.
 */
export async function readHostFacts(client: LibvirtClient, interfaces: boolean, memory?: FactMemory): Promise<HostFacts> {
  if (!interfaces) return {};
  const probed = await client.interfaceBackend();
  if (probed !== 'unknown') {
    if (memory && memory.fact(INTERFACE_BACKEND) !== probed) memory.rememberFact(INTERFACE_BACKEND, probed);
    return { interfaceBackend: probed };
  }
  const remembered = memory?.fact(INTERFACE_BACKEND);
  return { interfaceBackend: isBackend(remembered) ? remembered : 'unknown' };
}
