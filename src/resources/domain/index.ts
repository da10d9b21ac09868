// The Domain resource kind: libvirt domains from Domain manifests.
import type { ResourceKind } from '../types.js';
import { domainDefinition } from './contract.js';
import { domainSpecFromXml } from './from-xml.js';
import { executeDomainStep, readLiveDomains, readLiveDomain } from './live.js';
import { planDomain } from './plan.js';
import { resolveSpec } from './resolve.js';
import { domainXmlString } from './to-xml.js';

export const domainKind: ResourceKind<'Domain'> = {
  kind: 'Domain',
  definition: domainDefinition,
  toXml: (m, live, ctx) => domainXmlString(m.metadata.name, resolveSpec(m.spec, ctx.desired), { liveXml: live?.xml }),
  fromXml: (xml, runtime) => domainSpecFromXml(xml, runtime),
  plan: (desired, live, ctx) => planDomain(desired, live, ctx),
  readLive: (client) => readLiveDomains(client),
  readOne: (client, name) => readLiveDomain(client, name),
  execute: (step, change, client, progress, records) => executeDomainStep(step, change, client, progress, records),
};

export { domainSpecFromXml, stateFromRuntime } from './from-xml.js';
export { diffDomain, changeClassOf, machineMatches } from './diff.js';
export { domainReferences, domainLiveReferences } from './contract.js';
export {
  describeStop,
  durationMs,
  lifecycleSteps,
  planDomain,
  SHUTDOWN_TIMEOUT_MS,
  stopOptionsOf,
  type DomainStepOp,
  type StopOptions,
} from './plan.js';
export { describePending, diffRunning, RUNNING_FIELDS } from './running.js';
export { resolveSpec, DomainReferenceError } from './resolve.js';
export { buildDomainXml, domainXmlString, type BuildOptions } from './to-xml.js';
export { VK_NAMESPACE, readMark, type OwnershipMark } from './mark.js';
