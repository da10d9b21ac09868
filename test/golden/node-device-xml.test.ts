import { nodeDeviceKind } from '../../src/resources/node-device/index.js';
import { describeGoldenXml } from '../unit/resources/common/golden-xml.js';

// Node devices are never defined, so there is no libvirt schema to validate against.
await describeGoldenXml(nodeDeviceKind, 'node-device', undefined);
