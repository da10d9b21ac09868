// Names the object a call is about ("domain 'web-1'", "storage volume 'images/a.qcow2'") from its
// procedure name and arguments, so a timed-out or failed call tells the operator what it was doing.
// Pure: it reads the argument shapes of remote_protocol.x (handles named dom, net, pool, vol, …),
// whether the arguments come from the generated layer or a hand-written definition.

/** Procedure name prefixes, longest first, and the object noun they act on. */
const NOUNS: readonly (readonly [string, string])[] = [
  ['STORAGE_POOL_', 'storage pool'],
  ['STORAGE_VOL_', 'storage volume'],
  ['NODE_DEVICE_', 'node device'],
  ['NETWORK_PORT_', 'network port'],
  ['NWFILTER_BINDING_', 'nwfilter binding'],
  ['NWFILTER_', 'nwfilter'],
  ['INTERFACE_', 'interface'],
  ['NETWORK_', 'network'],
  ['SECRET_', 'secret'],
  ['DOMAIN_', 'domain'],
];

/** Handle fields of remote_protocol.x argument structs and what they hold. */
const HANDLE_FIELDS: readonly (readonly [string, string])[] = [
  ['vol', 'storage volume'],
  ['pool', 'storage pool'],
  ['dom', 'domain'],
  ['net', 'network'],
  ['iface', 'interface'],
  ['dev', 'node device'],
  ['secret', 'secret'],
  ['nwfilter', 'nwfilter'],
  ['port', 'network port'],
  ['snap', 'domain snapshot'],
  ['checkpoint', 'domain checkpoint'],
];

/** Scalar fields a lookup's args name its object by, in the order they are tried. */
const LOOKUP_FIELDS = ['name', 'uuid', 'path', 'key', 'mac'] as const;

function nounFor(procedure: string): string | undefined {
  return NOUNS.find(([prefix]) => procedure.startsWith(prefix))?.[1];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function handleName(noun: string, handle: Record<string, unknown>): string | undefined {
  const name = handle.name;
  if (noun === 'storage volume' && typeof handle.pool === 'string' && typeof name === 'string') return `${handle.pool}/${name}`;
  if (typeof name === 'string') {
    // Snapshots and checkpoints carry their domain; say both.
    const parent = isRecord(handle.dom) && typeof handle.dom.name === 'string' ? `${handle.dom.name}/` : '';
    return parent + name;
  }
  if (typeof handle.uuid === 'string') return handle.uuid;
  if (typeof handle.usageID === 'string') return handle.usageID;
  if (typeof handle.usage_id === 'string') return handle.usage_id;
  return undefined;
}

/** The `<name>` of an XML document, e.g. of a domain being defined. */
function xmlName(xml: string): string | undefined {
  return /<name>\s*([^<]{1,200}?)\s*<\/name>/.exec(xml)?.[1];
}

/** "domain 'web-1'" for a call's arguments, or undefined when they name nothing. */
export function describeCallObject(procedure: string, args: unknown): string | undefined {
  const noun = nounFor(procedure);
  if (typeof args === 'string') return noun ? `${noun} '${args}'` : undefined;
  if (!isRecord(args)) return undefined;
  for (const [field, fieldNoun] of HANDLE_FIELDS) {
    const handle = args[field];
    if (isRecord(handle)) {
      const name = handleName(fieldNoun, handle);
      if (name !== undefined) return `${fieldNoun} '${name}'`;
    }
  }
  if (!noun) return undefined;
  // Lookups name their object by one scalar field (remote_*_lookup_by_{name,uuid,path,key,mac_string}_args).
  for (const field of LOOKUP_FIELDS) {
    const value = args[field];
    if (typeof value === 'string') return `${noun} '${value}'`;
  }
  if (typeof args.xml === 'string') {
    const name = xmlName(args.xml);
    if (name !== undefined) return `${noun} '${name}'`;
  }
  return undefined;
}
