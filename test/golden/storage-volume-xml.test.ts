import { storageVolumeKind } from '../../src/resources/storage-volume/index.js';
import { describeGoldenXml } from '../unit/resources/common/golden-xml.js';

await describeGoldenXml(storageVolumeKind, 'storage-volume', 'storagevol');
