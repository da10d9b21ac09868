// Every Domain manifest (examples and test/fixtures/domain) → XML, compared with
// test/golden/xml/domain/<name>.xml (UPDATE_GOLDEN=1 rewrites) and validated by libvirt's schema.
import { describe, expect, it } from 'vitest';
import { domainKind } from '../../src/resources/domain/index.js';
import { expectGolden } from '../support/golden.js';
import { ctxOf, domainsOf, loadDomainFixtures, loadExampleState, validateDomainXml } from '../unit/resources/domain/helpers.js';

const sets = [
  ['examples', await loadExampleState()],
  ['fixtures', loadDomainFixtures()],
] as const;

for (const [label, state] of sets) {
  describe(`Domain XML (${label})`, () => {
    const domains = domainsOf(state);
    it('has domains to check', () => {
      expect(domains.length).toBeGreaterThan(0);
    });
    for (const { manifest } of domains) {
      const xml = domainKind.toXml(manifest, undefined, ctxOf(state));
      it(`${manifest.metadata.name} matches its golden file`, () => {
        expectGolden(`test/golden/xml/domain/${manifest.metadata.name}.xml`, xml);
      });
      it(`${manifest.metadata.name} passes virt-xml-validate domain`, () => {
        expect(validateDomainXml(xml)).toBeUndefined();
      });
    }
  });
}
