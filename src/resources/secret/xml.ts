// Secret spec ⇄ libvirt <secret> XML. Pure. libvirt's document holds the usage, the description
// and the ephemeral/private flags; never the value.
import type { SecretSpec } from './schema.js';
import { attr, child, el, parseXml, text, textEl, toXmlString } from '../xml.js';
import { USAGE_TYPES, usageOf, type UsageType } from './usage.js';

/** `uuid`: the live secret's, kept on redefine (domains and pools refer to it by uuid). */
export function secretToXml(spec: SecretSpec, uuid: string | undefined): string {
  const usage = usageOf(spec.usage);
  const root = el(
    'secret',
    // ephemeral='no': the value survives a libvirtd restart; virtkeeper sets it only when it changes.
    { ephemeral: 'no', private: spec.private === false ? 'no' : 'yes' },
    textEl('uuid', spec.uuid ?? uuid),
    textEl('description', spec.description),
    el('usage', { type: usage.type }, textEl(USAGE_TYPES[usage.type].element, usage.id)),
  );
  return toXmlString(root);
}

/** The live spec: valueFrom is empty (libvirt never says where a value came from). */
export function secretFromXml(xml: string): SecretSpec {
  const root = parseXml(xml, { fromLibvirt: true });
  const usageEl = child(root, 'usage');
  const type = attr(usageEl, 'type') as UsageType | undefined;
  const id = type && type in USAGE_TYPES ? text(child(usageEl, USAGE_TYPES[type].element)) : undefined;
  const spec: SecretSpec = {
    usage: type && id !== undefined ? { [type]: id } : {},
    valueFrom: {},
    private: attr(root, 'private') === 'yes',
  };
  const uuid = text(child(root, 'uuid'));
  if (uuid) spec.uuid = uuid;
  const description = text(child(root, 'description'));
  if (description) spec.description = description;
  return spec;
}
