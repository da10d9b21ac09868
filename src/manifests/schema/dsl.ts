// Small builders for the JSON Schemas. The schemas are generated from code (see kinds.ts and
// build.ts) so shared pieces — sizes, names, addresses — are written once, and so that every
// field is forced to carry a description (editors show it on hover).
//
// Conventions the error formatter relies on (see ../validate.ts):
// - `errorMessage` on a schema object replaces ajv's text for that object's own failures
//   (everything but `required` and `additionalProperties`, which concern child fields).
// - oneOf/anyOf branches hold only `required`/`format` checks, never property definitions, so
//   branch errors can be dropped in favour of the container's errorMessage.

export type JsonSchema = { [key: string]: unknown };

interface Common {
  errorMessage?: string;
  default?: unknown;
  examples?: unknown[];
}

export function str(description: string, extra: Common & { pattern?: string; maxLength?: number; minLength?: number; format?: string } = {}): JsonSchema {
  return { type: 'string', description, ...extra };
}

export function int(description: string, minimum?: number, maximum?: number, extra: Common = {}): JsonSchema {
  const s: JsonSchema = { type: 'integer', description };
  if (minimum !== undefined) s.minimum = minimum;
  if (maximum !== undefined) s.maximum = maximum;
  return { ...s, ...extra };
}

export function bool(description: string, extra: Common = {}): JsonSchema {
  return { type: 'boolean', description, ...extra };
}

export function enumOf(description: string, values: readonly string[], extra: Common = {}): JsonSchema {
  return { type: 'string', description, enum: [...values], ...extra };
}

export function arr(description: string, items: JsonSchema, extra: { minItems?: number; maxItems?: number; uniqueItems?: boolean } = {}): JsonSchema {
  return { type: 'array', description, items, ...extra };
}

/** Closed object: unknown fields are errors (typos must not be silently ignored). */
export function obj(
  description: string,
  properties: Record<string, JsonSchema>,
  required: string[] = [],
  extra: JsonSchema = {},
): JsonSchema {
  const s: JsonSchema = { type: 'object', description, properties, additionalProperties: false };
  if (required.length) s.required = required;
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
  for (let i = 0; i < fields.length; i++)
    for (let j = i + 1; j < fields.length; j++) pairs.push({ required: [fields[i], fields[j]] });
  return { not: { anyOf: pairs }, errorMessage: message };
}

/** A constraint block for allOf: when `field` equals `value`, apply `then`. */
export function when(field: string, value: string | string[], then: JsonSchema): JsonSchema {
  const cond = Array.isArray(value) ? { enum: value } : { const: value };
  return { if: { properties: { [field]: cond }, required: [field] }, then };
}

/** Inside `then`: forbid a field (a `false` schema could not carry a message). */
export function forbidden(message: string): JsonSchema {
  return { not: {}, errorMessage: message };
}

// ------------------------------------------------------------------ shared value types

export const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$';
export const NAME_MESSAGE =
  'must be 1-64 characters: letters, digits, "_", ".", "+", "-", starting with a letter or digit';

export function name(description: string): JsonSchema {
  return str(description, { pattern: NAME_PATTERN, errorMessage: NAME_MESSAGE });
}

export const SIZE_MESSAGE = 'must be a size like 2GiB (units B, KiB, MiB, GiB, TiB, PiB; a bare number is KiB)';

export function size(description: string): JsonSchema {
  return {
    type: ['string', 'integer'],
    description: `${description} A size like "2GiB", "512MiB", "1.5TiB", "4096B" (binary units B, KiB, MiB, GiB, TiB, PiB) or a bare integer number of KiB.`,
    pattern: '^[0-9]+(\\.[0-9]+)?\\s*(B|KiB|MiB|GiB|TiB|PiB)?$',
    minimum: 0,
    errorMessage: SIZE_MESSAGE,
    examples: ['2GiB', '512MiB'],
  };
}

export function absPath(description: string): JsonSchema {
  return str(description, { pattern: '^/', maxLength: 4096, errorMessage: 'must be an absolute path (starting with /)' });
}

export function mac(description: string): JsonSchema {
  return str(description, {
    pattern: '^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$',
    errorMessage: 'must be a MAC address like 52:54:00:12:34:56',
  });
}

export function ipv4(description: string): JsonSchema {
  return str(description, { format: 'ipv4', errorMessage: 'must be an IPv4 address like 192.168.122.1' });
}

export function ipAny(description: string): JsonSchema {
  return {
    type: 'string',
    description,
    anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }],
    errorMessage: 'must be an IPv4 or IPv6 address',
  };
}

export function ipv6(description: string): JsonSchema {
  return str(description, { format: 'ipv6', errorMessage: 'must be an IPv6 address like fd00::1' });
}

export function hostName(description: string): JsonSchema {
  return str(description, {
    pattern: '^[A-Za-z0-9]([A-Za-z0-9.:-]{0,252})$|^\\[[0-9A-Fa-f:.]+\\]$',
    errorMessage: 'must be a host name or IP address',
  });
}

export function pciAddress(description: string): JsonSchema {
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

export function usbAddress(description: string): JsonSchema {
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

export function xmlOverlay(root: string, extraNote = ''): JsonSchema {
  return obj(
    `Escape hatch: extra libvirt XML merged into the generated <${root}> document, for anything the friendly fields do not cover.${extraNote}`,
    {
      merge: str(
        `XML elements as they would appear directly inside <${root}>. Each top-level element replaces the generated elements of the same name (or is appended if there are none)${root === 'domain' ? '; the children of a <devices> element are appended to the generated <devices> instead' : ''}. Must be well-formed; no DOCTYPE, no <name>.`,
        { maxLength: 65536, examples: root === 'domain' ? ['<devices>\n  <watchdog model="i6300esb" action="reset"/>\n</devices>\n'] : undefined },
      ),
    },
  );
}
