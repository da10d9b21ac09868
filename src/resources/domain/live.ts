// The I/O half of the Domain kind: reading live domains and carrying out planned steps.
import { VIR_ERR_INVALID_ARG, VIR_ERR_NO_DOMAIN, VIR_ERR_OPERATION_DENIED, hasErrorCode } from '../../libvirt/errors.js';
import type { DomainRef, LibvirtClient } from '../../libvirt/client.js';
import { kindKey } from '../../manifests/identity.js';
import type { LiveResource, ResourceChange, Step } from '../types.js';
import { parseXml, toXmlString } from '../xml.js';
import { restoreGraphicsPasswords } from './devices.js';
import { domainSpecFromXml } from './from-xml.js';
import { findMarkElement } from './mark.js';
import type { DomainStepOp } from './plan.js';

const POLL_MS = 250;

/** Passwords are part of what a redefine must keep, but need a read-write connection; a read-only one gets the rest. */
async function persistentXml(client: LibvirtClient, ref: DomainRef): Promise<string> {
  try {
    return await client.getDomainXml(ref, { inactive: true, secure: true });
  } catch (err) {
    if (!hasErrorCode(err, VIR_ERR_OPERATION_DENIED)) throw err;
    return client.getDomainXml(ref, { inactive: true });
  }
}

async function readOne(client: LibvirtClient, ref: DomainRef): Promise<LiveResource<'Domain'>> {
  const [xml, state, autostart, persistent] = await Promise.all([
    persistentXml(client, ref),
    client.domainState(ref),
    client.getDomainAutostart(ref),
    client.isDomainPersistent(ref),
  ]);
  const active = state !== 'shutoff' && state !== 'crashed' && state !== 'nostate';
  return {
    key: kindKey('Domain', ref.name),
    kind: 'Domain',
    name: ref.name,
    xml,
    spec: domainSpecFromXml(xml, { state, autostart, active }),
    active,
    persistent,
    markedOwned: findMarkElement(parseXml(xml)) !== undefined,
  };
}

export async function readLiveDomains(client: LibvirtClient): Promise<Array<LiveResource<'Domain'>>> {
  const refs = await client.listDomains();
  const out: Array<LiveResource<'Domain'>> = [];
  for (const ref of refs) {
    try {
      out.push(await readOne(client, ref));
    } catch (err) {
      // Undefined between listing and reading: it is simply not there any more.
      if (hasErrorCode(err, VIR_ERR_NO_DOMAIN)) continue;
      throw err;
    }
  }
  return out;
}

function payloadString(step: Step, key: string): string {
  const v = step.payload?.[key];
  if (typeof v !== 'string') throw new Error(`step ${step.op}: payload.${key} must be a string`);
  return v;
}

function payloadFlag(step: Step, key: string): boolean {
  return step.payload?.[key] === true;
}

async function waitForShutoff(client: LibvirtClient, ref: DomainRef, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await client.domainState(ref)) === 'shutoff') return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function undefine(client: LibvirtClient, ref: DomainRef, step: Step): Promise<void> {
  const full = {
    managedSave: payloadFlag(step, 'managedSave'),
    snapshotsMetadata: payloadFlag(step, 'snapshotsMetadata'),
    checkpointsMetadata: payloadFlag(step, 'checkpointsMetadata'),
    nvram: payloadFlag(step, 'nvram'),
    keepNvram: payloadFlag(step, 'keepNvram'),
  };
  try {
    await client.undefineDomain(ref, full);
  } catch (err) {
    // Drivers reject flags they do not implement (the test driver knows neither NVRAM nor
    // checkpoints); such a driver has nothing of that kind to remove, so try without them.
    if (!hasErrorCode(err, VIR_ERR_INVALID_ARG)) throw err;
    await client.undefineDomain(ref, { managedSave: full.managedSave, snapshotsMetadata: full.snapshotsMetadata });
  }
}

/**
 * A plan made on a read-only connection never saw graphics passwords (libvirt hides them without
 * VIR_DOMAIN_XML_SECURE); put the current ones back so applying that plan does not wipe them.
 */
async function withSecrets(client: LibvirtClient, name: string, xml: string): Promise<string> {
  const ref = await client.lookupDomain(name);
  if (!ref) return xml;
  let secure: string;
  try {
    secure = await client.getDomainXml(ref, { inactive: true, secure: true });
  } catch (err) {
    if (hasErrorCode(err, VIR_ERR_OPERATION_DENIED)) return xml;
    throw err;
  }
  const doc = parseXml(xml);
  return restoreGraphicsPasswords(doc, parseXml(secure)) ? toXmlString(doc) : xml;
}

async function start(client: LibvirtClient, ref: DomainRef, paused: boolean): Promise<void> {
  if (!paused) {
    await client.startDomain(ref);
    return;
  }
  try {
    await client.startDomain(ref, { paused: true });
  } catch (err) {
    // Drivers without START_PAUSED (the test driver): the guest runs for a moment, then pauses.
    if (!hasErrorCode(err, VIR_ERR_INVALID_ARG)) throw err;
    await client.startDomain(ref);
    await client.suspendDomain(ref);
  }
}

export async function executeDomainStep(step: Step, change: ResourceChange<'Domain'>, client: LibvirtClient): Promise<void> {
  const op = step.op as DomainStepOp;
  if (op === 'define') {
    await client.defineDomain(await withSecrets(client, change.name, payloadString(step, 'xml')));
    return;
  }
  const ref = await client.getDomain(change.name);
  switch (op) {
    case 'undefine':
      return undefine(client, ref, step);
    case 'start':
      return start(client, ref, payloadFlag(step, 'paused'));
    case 'shutdown': {
      const timeoutMs = typeof step.payload?.timeoutMs === 'number' ? step.payload.timeoutMs : 60_000;
      await client.shutdownDomain(ref);
      if (!(await waitForShutoff(client, ref, timeoutMs))) await client.destroyDomain(ref);
      return;
    }
    case 'destroy':
      return client.destroyDomain(ref);
    case 'suspend':
      return client.suspendDomain(ref);
    case 'resume':
      return client.resumeDomain(ref);
    case 'setAutostart':
      return client.setDomainAutostart(ref, payloadFlag(step, 'autostart'));
    case 'setMetadata': {
      const type = payloadString(step, 'type');
      if (type !== 'title' && type !== 'description') throw new Error(`step setMetadata: unknown type ${type}`);
      const value = step.payload?.value;
      return client.setDomainMetadata(
        ref,
        { type, value: typeof value === 'string' ? value : null },
        { config: payloadFlag(step, 'config'), live: payloadFlag(step, 'live') },
      );
    }
    default:
      throw new Error(`Domain kind cannot execute step ${String(step.op)}`);
  }
}
