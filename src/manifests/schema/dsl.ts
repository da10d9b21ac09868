// Small builders for the JSON Schemas. The schemas are generated from code (each kind's
// src/resources/<kind>/schema.ts, wrapped by kinds.ts, written by build.ts) so shared pieces —
// sizes, names, addresses — are written once, and so that every field is forced to carry a
// description (editors show it on hover).
//
// Every builder also carries the TypeScript type of the values its schema accepts, as a phantom
// type (`Schema<T>`, read back with `Static<typeof schema>`). The spec types the code programs
// against are derived from the schemas this way, so the shape of a manifest is written once: a
// field added to a schema is a field of the type, and the compiler reports code that disagrees.
//
// Conventions the error formatter relies on (see ../validate.ts):
// - `errorMessage` on a schema object replaces ajv's text for that object's own failures
//   (everything but `required` and `additionalProperties`, which concern child fields).
// - oneOf/anyOf branches hold only `required`/`format` checks, never property definitions, so
//   branch errors can be dropped in favour of the container's errorMessage.

export type JsonSchema = { [key: string]: unknown };

declare const STATIC: unique symbol;

/**
 * A JSON Schema whose accepted values have the TypeScript type T. The symbol key exists only for
 * the type checker (it is declared, never set), so the object is plain JSON Schema at run time.
 */
export type Schema<T> = JsonSchema & { readonly [STATIC]?: { readonly value: T } };

/**
 * The type of the values a schema built here accepts. (The phantom holds T in a box: an optional
 * property of type never would read as undefined and lose the never that `forbidden` relies on.)
 */
export type Static<S> = S extends { readonly [STATIC]?: { readonly value: infer T } } ? T : unknown;

/** Properties of an object schema, by name. */
export type Properties = { [name: string]: Schema<unknown> };

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/**
 * The value type of `obj(…, properties, required)`: fields named in `required` are required, the
 * rest optional; a field declared only to be refused (`forbidden`, type never) is no field at all.
 */
export type ObjectStatic<P extends Properties, R extends string> = Simplify<
  { [K in keyof P as K extends R ? ([Static<P[K]>] extends [never] ? never : K) : never]-?: Static<P[K]> } & {
    [K in keyof P as K extends R ? never : [Static<P[K]>] extends [never] ? never : K]?: Static<P[K]>;
  }
>;

/**
 * A schema written out by hand (a shape the builders do not cover: one value of several JSON
 * types, a free-form mapping) together with the type of what it accepts. The one place where the
 * type is the author's word rather than derived: keep such schemas small and next to their use.
 */
export function custom<T>(schema: JsonSchema): Schema<T> {
  return schema;
}

interface Common {
  errorMessage?: string;
  default?: unknown;
  examples?: unknown[];
}

export function str(
  description: string,
  extra: Common & { pattern?: string; maxLength?: number; minLength?: number; format?: string } = {},
): Schema<string> {
  return { type: 'string', description, ...extra };
}

export function int(description: string, minimum?: number, maximum?: number, extra: Common = {}): Schema<number> {
  const s: JsonSchema = { type: 'integer', description };
  if (minimum !== undefined) s.minimum = minimum;
  if (maximum !== undefined) s.maximum = maximum;
  return { ...s, ...extra };
}

/** A (possibly fractional) number in [minimum, maximum]. */
export function num(description: string, minimum: number, maximum: number, extra: Common = {}): Schema<number> {
  return { type: 'number', description, minimum, maximum, ...extra };
}

export function bool(description: string, extra: Common = {}): Schema<boolean> {
  return { type: 'boolean', description, ...extra };
}

/** One of the strings in `values`; the type is their union (pass the values as a literal or an `as const` array). */
export function enumOf<const V extends readonly string[]>(description: string, values: V, extra: Common = {}): Schema<V[number]> {
  return { type: 'string', description, enum: [...values], ...extra };
}

export function arr<I>(
  description: string,
  items: Schema<I>,
  extra: { minItems?: number; maxItems?: number; uniqueItems?: boolean } = {},
): Schema<I[]> {
  return { type: 'array', description, items, ...extra };
}

/**
 * Closed object: unknown fields are errors (typos must not be silently ignored). The fields
 * named in `required` are required in the derived type too, the others optional.
 */
export function obj<P extends Properties, const R extends readonly (keyof P & string)[] = []>(
  description: string,
  properties: P,
  required?: R,
  extra: JsonSchema = {},
): Schema<ObjectStatic<P, R[number]>> {
  const s: JsonSchema = { type: 'object', description, properties, additionalProperties: false };
  if (required?.length) s.required = required;
  return { ...s, ...extra };
}

/** A constraint block for allOf: exactly one of the fields is set. */
export function exactlyOne(fields: string[], message = `set exactly one of: ${fields.join(', ')}`): JsonSchema {
  return { oneOf: fields.map((f) => ({ required: [f] })), errorMessage: message };
}

/** A constraint block for allOf: at least one of the fields is set. */
export function atLeastOne(fields: string[], message = `set one of: ${fields.join(', ')}`): JsonSchema {
  return { anyOf: fields.map((f) => ({ required: [f] })), errorMessage: message };
}

/** A constraint block for allOf: at most one of the fields is set. */
export function atMostOne(fields: string[], message = `set at most one of: ${fields.join(', ')}`): JsonSchema {
  const pairs: JsonSchema[] = [];
  for (let i = 0; i < fields.length; i++) for (let j = i + 1; j < fields.length; j++) pairs.push({ required: [fields[i], fields[j]] });
  return { not: { anyOf: pairs }, errorMessage: message };
}

/** A constraint block for allOf: when `field` equals `value`, apply `then`. */
export function when(field: string, value: string | readonly string[], then: JsonSchema): JsonSchema {
  const cond = typeof value === 'string' ? { const: value } : { enum: [...value] };
  return { if: { properties: { [field]: cond }, required: [field] }, then };
}

/**
 * A field that is always refused, with a message (a `false` schema could not carry one). Typed
 * never: as a property of `obj` it is left out of the derived type. A `description` documents a
 * field refused on purpose (editors show why on hover).
 */
export function forbidden(message: string, description?: string): Schema<never> {
  return description === undefined ? { not: {}, errorMessage: message } : { description, not: {}, errorMessage: message };
}

// ------------------------------------------------------------------ shared value types

export const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$';
export const NAME_MESSAGE = 'must be 1-64 characters: letters, digits, "_", ".", "+", "-", starting with a letter or digit';

export function name(description: string): Schema<string> {
  return str(description, { pattern: NAME_PATTERN, errorMessage: NAME_MESSAGE });
}

export const SIZE_MESSAGE = 'must be a size like 2GiB (units B, KiB, MiB, GiB, TiB, PiB; a bare number is KiB)';

/** "2GiB", "512MiB", "64KiB", "1073741824B", or an integer number of KiB; parse it with parseSize() in ../units.ts. */
export type Size = string | number;

export function size(description: string): Schema<Size> {
  return {
    type: ['string', 'integer'],
    description: `${description} A size like "2GiB", "512MiB", "1.5TiB", "4096B" (binary units B, KiB, MiB, GiB, TiB, PiB) or a bare integer number of KiB.`,
    pattern: '^[0-9]+(\\.[0-9]+)?\\s*(B|KiB|MiB|GiB|TiB|PiB)?$',
    minimum: 0,
    errorMessage: SIZE_MESSAGE,
    examples: ['2GiB', '512MiB'],
  };
}

export function absPath(description: string): Schema<string> {
  return str(description, { pattern: '^/', maxLength: 4096, errorMessage: 'must be an absolute path (starting with /)' });
}

export function mac(description: string): Schema<string> {
  return str(description, {
    pattern: '^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$',
    errorMessage: 'must be a MAC address like 52:54:00:12:34:56',
  });
}

export function ipv4(description: string): Schema<string> {
  return str(description, { format: 'ipv4', errorMessage: 'must be an IPv4 address like 192.168.122.1' });
}

export function ipAny(description: string): Schema<string> {
  return {
    type: 'string',
    description,
    anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }],
    errorMessage: 'must be an IPv4 or IPv6 address',
  };
}

export function ipv6(description: string): Schema<string> {
  return str(description, { format: 'ipv6', errorMessage: 'must be an IPv6 address like fd00::1' });
}

export function hostName(description: string): Schema<string> {
  return str(description, {
    pattern: '^[A-Za-z0-9]([A-Za-z0-9.:-]{0,252})$|^\\[[0-9A-Fa-f:.]+\\]$',
    errorMessage: 'must be a host name or IP address',
  });
}

/** The two fields of every login: a user name and the Secret holding its key or password. */
export function secretAuthFields() {
  return {
    username: str('User name.', { minLength: 1, maxLength: 256, pattern: '^[^\\s]+$', errorMessage: 'must be a user name without spaces' }),
    secret: name('Name of a Secret manifest holding the key or password.'),
  };
}

/** A login (user name and the Secret holding its key or password). */
export function secretAuth(description: string) {
  return obj(description, secretAuthFields(), ['username', 'secret']);
}

/** Login to a network disk's or pool's server: a user name and the Secret holding its key or password. */
export type SecretAuth = Static<ReturnType<typeof secretAuth>>;
/** A Secret manifest named where libvirt needs a secret (encryption, auth). */
export type SecretRef = Pick<SecretAuth, 'secret'>;

export function pciAddress(description: string) {
  return obj(
    description,
    {
      domain: int('PCI domain (0x0000-0xffff), default 0. Write numbers in hex: 0x0000.', 0, 0xffff),
      bus: int('PCI bus (0x00-0xff).', 0, 0xff),
      slot: int('PCI slot (0x00-0x1f).', 0, 0x1f),
      function: int('PCI function (0-7).', 0, 7),
    },
    ['bus', 'slot', 'function'],
  );
}

export function usbAddress(description: string) {
  return obj(
    description,
    {
      vendor: int('USB vendor id, e.g. 0x046d (with product).', 0, 0xffff),
      product: int('USB product id, e.g. 0xc52b (with vendor).', 0, 0xffff),
      bus: int('USB bus number (with device).', 0, 0xffff),
      device: int('USB device number on the bus (with bus).', 0, 0xffff),
    },
    [],
    {
      allOf: [
        {
          oneOf: [{ required: ['vendor', 'product'] }, { required: ['bus', 'device'] }],
          errorMessage: 'set either vendor and product, or bus and device',
        },
      ],
    },
  );
}

export function xmlOverlay(root: string, extraNote = '') {
  return obj(
    `Escape hatch: extra libvirt XML merged into the generated <${root}> document, for anything the friendly fields do not cover.${extraNote}`,
    {
      merge: str(
        `XML elements as they would appear directly inside <${root}>. Each top-level element replaces the generated elements of the same name (or is appended if there are none)${root === 'domain' ? '; the children of a <devices> element are appended to the generated <devices> instead' : ''}. Must be well-formed; no DOCTYPE, no <name>.`,
        {
          maxLength: 65536,
          examples: root === 'domain' ? ['<devices>\n  <watchdog model="i6300esb" action="reset"/>\n</devices>\n'] : undefined,
        },
      ),
    },
  );
}

/** PCI address; domain defaults to 0. Ranges: domain 0..0xffff, bus 0..0xff, slot 0..0x1f, function 0..7. */
export type PciAddress = Static<ReturnType<typeof pciAddress>>;
/** A USB device either by vendor+product id or by bus+device number (exactly one pair). */
export type UsbAddress = Static<ReturnType<typeof usbAddress>>;
/**
 * Escape hatch for anything the friendly fields do not cover. `merge` holds XML fragments written
 * as they would appear directly inside the root element of the generated document; the loader
 * checks that it is well-formed, carries no DOCTYPE/entity declarations and does not set <name>.
 */
export type XmlOverlay = Static<ReturnType<typeof xmlOverlay>>;

/** The element type of an optional array field: `Item<DomainSpec['disks']>` is one disk. */
export type Item<T> = NonNullable<T> extends readonly (infer I)[] ? I : never;
