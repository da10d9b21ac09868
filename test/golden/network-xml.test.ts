import { networkKind } from '../../src/resources/network/index.js';
import { describeGoldenXml } from '../unit/resources/common/golden-xml.js';

await describeGoldenXml(networkKind, 'network', 'network');
