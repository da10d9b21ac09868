// The NodeDevice spec: its JSON Schema fragment and the types derived from it (the one source of
// both; ../../manifests/schema/kinds.ts wraps it in the manifest envelope).
import type { Manifest } from '../../manifests/types.js';
import { bool, enumOf, exactlyOne, obj, pciAddress, usbAddress, xmlOverlay, type Static } from '../../manifests/schema/dsl.js';

export const nodeDeviceSpecSchema = obj(
  'A host PCI or USB device kept detached from its host driver, so domains can pass it through.',
  {
    pci: pciAddress('PCI address of the device, as in lspci -D (0000:06:12.5).'),
    usb: usbAddress('USB device.'),
    detached: bool('true (default): keep the device detached from host drivers; false: give it back to the host.', { default: true }),
    driver: enumOf('Driver bound for passthrough; default vfio.', ['vfio', 'xen']),
    xml: xmlOverlay('device', ' Accepted for uniformity: PCI/USB devices are only detached, never defined, so nothing is merged today.'),
  },
  [],
  { allOf: [exactlyOne(['pci', 'usb'], 'set exactly one of pci or usb')] },
);

/** A host device kept detached from its host driver so domains can pass it through. Exactly one of pci, usb. */
export type NodeDeviceSpec = Static<typeof nodeDeviceSpecSchema>;

/** A NodeDevice manifest: the envelope around this spec. */
export type NodeDeviceManifest = Manifest<'NodeDevice', NodeDeviceSpec>;
