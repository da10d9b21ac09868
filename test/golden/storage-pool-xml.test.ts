import { storagePoolKind } from '../../src/resources/storage-pool/index.js';
import { describeGoldenXml } from '../unit/resources/common/golden-xml.js';

await describeGoldenXml(storagePoolKind, 'storage-pool', 'storagepool');
