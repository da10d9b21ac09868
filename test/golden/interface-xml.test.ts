import { interfaceKind } from '../../src/resources/interface/index.js';
import { describeGoldenXml } from '../unit/resources/common/golden-xml.js';

await describeGoldenXml(interfaceKind, 'interface', 'interface');
