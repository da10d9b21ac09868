// The I/O half of the Domain kind: reading live domains and carrying out planned steps.
import {
  VIR_ERR_INVALID_ARG,
  VIR_ERR_NO_DOMAIN,
  VIR_ERR_OPERATION_DENIED,
  VIR_ERR_OPERATION_INVALID,
  hasErrorCode,
} from '../../libvirt/errors.js';
import { mapBounded, READ_CONCURRENCY, unlessGone } from '../common/bounded.js';
import { StepRefs } from '../common/step-refs.js';
import { filtersRejected } from '../common/list-facts.js';
import type { DomainSpec } from './schema.js';
import type { DomainRef, LibvirtClient } from '../../libvirt/client.js';
import { kindKey } from '../../manifests/keys.js';
import type { LiveResource, ResourceChange, StepProgress, StepRecords } from '../types.js';
import { attr, child, children, escapeAttr, parseXml, toXmlString, type XmlElement } from '../xml.js';
import {
  payloadField,
  payloadFlag,
  payloadNumber,
  payloadOptionalNumber,
  payloadOptionalString,
  payloadString,
  StepPayloadError,
  unknownStep,
  type PayloadCarrier,
} from '../common/payload.js';
import { restoreGraphicsPasswords } from './devices.js';
import { domainSpecFromXml } from './from-xml.js';
import { findMarkElement } from './mark.js';
import type { DomainDetachStep, DomainStep } from './steps.js';
import { DETACH_TIMEOUT_MS } from './hotplug.js';
import { mergeSecretsDigestKey, passwordDigestKey, placeholderAttribute, secureAttributeText, type PasswordSource } from './passwords.js';
import { checkedNamedValueSources, withNamedValues } from '../secret/named-source.js';
import { newSecretDigest } from '../secret/digest.js';

const POLL_MS = 250;

/** Handles of domains defined by the change being executed, for its later steps. */
const domainRefs = new StepRefs<DomainRef>();

/**
 * Passwords are part of what a redefine must keep, but only a read-write connection may read
 * them: a read-only one is not asked (libvirt would deny it), and a denial on a read-write one
 * (an ACL) still gets the rest.
 */
async function persistentXml(client: LibvirtClient, ref: DomainRef): Promise<string> {
  if (client.readOnly) return client.getDomainXml(ref, { inactive: true });
  try {
    return await client.getDomainXml(ref, { inactive: true, secure: true });
  } catch (err) {
    if (!hasErrorCode(err, VIR_ERR_OPERATION_DENIED)) throw err;
    return client.getDomainXml(ref, { inactive: true });
  }
}

async function runningSpec(client: LibvirtClient, ref: DomainRef, state: string, autostart: boolean): Promise<DomainSpec | undefined> {
  try {
    return domainSpecFromXml(parseXml(await client.getDomainXml(ref), { fromLibvirt: true }), { state, autostart, active: true });
  } catch (err) {
    // Stopped between the state call and this one: nothing runs, nothing is pending.
    if (hasErrorCode(err, VIR_ERR_NO_DOMAIN) || hasErrorCode(err, VIR_ERR_OPERATION_INVALID)) return undefined;
    throw err;
  }
}

/** What filtered listings tell about every domain at once: a few list calls instead of three calls per domain. */
interface DomainFacts {
  /** libvirt's state name, or 'saved' for a shut-off domain with a managed save image. */
  state(ref: DomainRef): Promise<string>;
  autostart(ref: DomainRef): Promise<boolean>;
  persistent(ref: DomainRef): Promise<boolean>;
}

/** The facts asked of each domain: one domain alone, or a driver without list filters. */
function perDomainFacts(client: LibvirtClient): DomainFacts {
  return {
    state: async (ref) => {
      const state = await client.domainState(ref);
      return state === 'shutoff' && (await client.hasManagedSaveImage(ref)) ? 'saved' : state;
    },
    autostart: (ref) => client.getDomainAutostart(ref),
    persistent: (ref) => client.isDomainPersistent(ref),
  };
}

const byUuid = (refs: readonly DomainRef[]): Set<string> => new Set(refs.map((r) => r.uuid));

/**
 * Running, paused and shut-off domains come from one listing each, and those with a managed
 * save image from another; the rare other states (blocked, shutting down, crashed, suspended to
 * memory) are asked one by one. A driver that rejects the filters gets the per-domain calls for
 * everything.
 */
async function readDomainFacts(client: LibvirtClient): Promise<DomainFacts> {
  let lists: DomainRef[][];
  try {
    lists = await Promise.all([
      client.listDomains({ state: 'running' }),
      client.listDomains({ state: 'paused' }),
      client.listDomains({ state: 'shutoff' }),
      client.listDomains({ autostart: true }),
      client.listDomains({ persistent: true }),
      client.listDomains({ managedSave: true }),
    ]);
  } catch (err) {
    if (!filtersRejected(err)) throw err;
    return perDomainFacts(client);
  }
  const [running, paused, shutoff, autostart, persistent, saved] = lists.map(byUuid) as [
    Set<string>,
    Set<string>,
    Set<string>,
    Set<string>,
    Set<string>,
    Set<string>,
  ];
  const shutoffState = (ref: DomainRef): string => (saved.has(ref.uuid) ? 'saved' : 'shutoff');
  return {
    state: async (ref) =>
      running.has(ref.uuid)
        ? 'running'
        : paused.has(ref.uuid)
          ? 'paused'
          : shutoff.has(ref.uuid)
            ? shutoffState(ref)
            : client.domainState(ref),
    autostart: async (ref) => autostart.has(ref.uuid),
    persistent: async (ref) => persistent.has(ref.uuid),
  };
}

async function readOne(client: LibvirtClient, ref: DomainRef, facts: DomainFacts): Promise<LiveResource<'Domain'>> {
  const [xml, state, autostart, persistent] = await Promise.all([
    persistentXml(client, ref),
    facts.state(ref),
    facts.autostart(ref),
    facts.persistent(ref),
  ]);
  const active = state !== 'shutoff' && state !== 'saved' && state !== 'crashed' && state !== 'nostate';
  const root = parseXml(xml, { fromLibvirt: true });
  const live: LiveResource<'Domain'> = {
    key: kindKey('Domain', ref.name),
    kind: 'Domain',
    name: ref.name,
    xml,
    spec: domainSpecFromXml(root, { state, autostart, active }),
    active,
    persistent,
    markedOwned: findMarkElement(root) !== undefined,
  };
  // What the guest runs with now: after a redefine it differs from the config until a restart.
  if (active && persistent) live.running = await runningSpec(client, ref, state, autostart);
  return live;
}

/** Every domain: one XML read each (two while it runs), a few calls in flight at once. */
export async function readLiveDomains(client: LibvirtClient): Promise<Array<LiveResource<'Domain'>>> {
  const [refs, facts] = await Promise.all([client.listDomains(), readDomainFacts(client)]);
  return mapBounded(refs, READ_CONCURRENCY, (ref) => unlessGone(readOne(client, ref, facts), VIR_ERR_NO_DOMAIN));
}

/** One domain by name (an event or a file change about it), undefined when there is none. */
export async function readLiveDomain(client: LibvirtClient, name: string): Promise<LiveResource<'Domain'> | undefined> {
  const ref = await client.lookupDomain(name);
  if (!ref) return undefined;
  return unlessGone(readOne(client, ref, perDomainFacts(client)), VIR_ERR_NO_DOMAIN);
}

/** How often a wait for shut off says it is still waiting. */
const PROGRESS_EVERY_MS = 10_000;

async function waitForShutoff(client: LibvirtClient, ref: DomainRef, timeoutMs: number, progress?: StepProgress): Promise<boolean> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  let nextReport = started + PROGRESS_EVERY_MS;
  for (;;) {
    if ((await client.domainState(ref)) === 'shutoff') return true;
    const now = Date.now();
    if (now >= deadline) return false;
    if (now >= nextReport) {
      progress?.(
        `still waiting for domain ${ref.name} to shut down: ${Math.round((now - started) / 1000)}s of ${Math.round(timeoutMs / 1000)}s`,
      );
      nextReport += PROGRESS_EVERY_MS;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** ACPI shutdown, bounded: a guest that has not shut down after the timeout is forced off, and the line says so. */
async function shutdown(client: LibvirtClient, ref: DomainRef, timeoutMs: number, progress?: StepProgress): Promise<void> {
  const started = Date.now();
  progress?.(`asked domain ${ref.name} to shut down (ACPI); forcing it off after ${Math.round(timeoutMs / 1000)}s`);
  await client.shutdownDomain(ref);
  if (await waitForShutoff(client, ref, timeoutMs, progress)) {
    progress?.(`domain ${ref.name} shut down after ${((Date.now() - started) / 1000).toFixed(1)}s`);
    return;
  }
  await client.destroyDomain(ref);
  progress?.(`domain ${ref.name} ignored the shutdown request for ${Math.round(timeoutMs / 1000)}s: forced off`);
}

function impactOf(step: PayloadCarrier): { live: boolean; config: boolean } {
  return { live: payloadFlag(step, 'live'), config: payloadFlag(step, 'config') };
}

/** The running device a detach step means (a NIC by MAC, a disk by target), from the live XML. */
function findLiveDevice(liveXml: string, step: DomainDetachStep): XmlElement | undefined {
  const devices = child(parseXml(liveXml, { fromLibvirt: true }), 'devices');
  if (step.payload?.device === 'interface') {
    const mac = payloadString(step, 'mac').toLowerCase();
    return children(devices, 'interface').find((n) => attr(child(n, 'mac'), 'address')?.toLowerCase() === mac);
  }
  const target = payloadString(step, 'target');
  return children(devices, 'disk').find((d) => attr(child(d, 'target'), 'dev') === target);
}

function deviceLabel(step: DomainDetachStep): string {
  return step.payload?.device === 'interface' ? `NIC ${String(step.payload.mac)}` : `disk ${String(step.payload?.target)}`;
}

/**
 * A hot-unplug asks the guest to let the device go; libvirt removes it when the guest has, and
 * says so with a device-removed event. The watch is registered first so that event cannot be
 * missed. A guest that does not release the device in time is reported, not asked again: the
 * device stays until it does or the domain restarts, and the next plan shows it still there.
 */
async function detachDevice(client: LibvirtClient, ref: DomainRef, step: DomainDetachStep, progress?: StepProgress): Promise<void> {
  const impact = impactOf(step);
  const xml = payloadString(step, 'xml');
  const device = impact.live ? findLiveDevice(await client.getDomainXml(ref), step) : undefined;
  if (!device) {
    // Not plugged (any more): only the config may still have it.
    if (impact.config) await client.detachDevice(ref, xml, { config: true });
    return;
  }
  const alias = attr(child(device, 'alias'), 'name');
  const timeoutMs = payloadOptionalNumber(step, 'timeoutMs') ?? DETACH_TIMEOUT_MS;
  // A driver without the event, or a device without an alias, is watched by reading the live XML.
  const watch = alias ? await client.watchDeviceRemoved(ref).catch(() => undefined) : undefined;
  const stillPlugged = async (): Promise<boolean> => findLiveDevice(await client.getDomainXml(ref), step) !== undefined;
  try {
    await client.detachDevice(ref, xml, impact);
    if (!(await stillPlugged())) return;
    progress?.(`waiting up to ${timeoutMs / 1000}s for the guest of domain ${ref.name} to release ${deviceLabel(step)}`);
    // The watch keeps events that came before this wait: none is lost between the read and it.
    const released =
      watch && alias ? await watch.removed(alias, timeoutMs) : await pollUntil(async () => !(await stillPlugged()), timeoutMs);
    if (released) return;
    throw new Error(
      `the guest of domain ${ref.name} did not release ${deviceLabel(step)}${alias ? ` (alias ${alias})` : ''} within ${timeoutMs / 1000}s; ` +
        `libvirt has asked it to, and the device stays until the guest lets go or the domain restarts`,
    );
  } finally {
    await watch?.dispose();
  }
}

/** Asks `done` every POLL_MS until it says yes (true) or `timeoutMs` passes (false). */
async function pollUntil(done: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    if (await done()) return true;
  }
  return false;
}

async function undefine(client: LibvirtClient, ref: DomainRef, step: PayloadCarrier): Promise<void> {
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

/**
 * Puts each graphics password in place of its placeholder, read from where its Secret says, and
 * records its digest once the define succeeded (records). The values live only in this call.
 */
function defineWithPasswords(
  client: LibvirtClient,
  change: ResourceChange<'Domain'>,
  xml: string,
  sources: PasswordSource[],
  records?: StepRecords,
): Promise<DomainRef> {
  return withNamedValues(sources, async (values) => {
    let full = xml;
    for (const [secret, value] of values)
      full = full.split(placeholderAttribute(secret)).join(`passwd="${escapeAttr(value.toString('utf8'))}"`);
    const ref = await client.defineDomain(full);
    for (const [secret, value] of values) records?.secretDigest?.(passwordDigestKey(change.key, secret), newSecretDigest(value));
    return ref;
  });
}

export async function executeDomainStep(
  step: DomainStep,
  change: ResourceChange<'Domain'>,
  client: LibvirtClient,
  progress?: StepProgress,
  records?: StepRecords,
): Promise<void> {
  if (step.op === 'define') {
    const xml = payloadString(step, 'xml');
    // A domain being created has no passwords to keep, and XML without graphics has none to lose.
    const keep = change.action !== 'create' && xml.includes('<graphics');
    const kept = keep ? await withSecrets(client, change.name, xml) : xml;
    domainRefs.remember(
      change,
      await defineWithPasswords(
        client,
        change,
        kept,
        checkedNamedValueSources(payloadField(step, 'passwords'), `step ${step.op}: payload.passwords`),
        records,
      ),
    );
    // The passwords xml.merge put in the planned document (not those kept from the live one);
    // most documents have none, and are not parsed again for it.
    const merged = xml.includes('passwd=') ? secureAttributeText([parseXml(xml)]) : undefined;
    if (merged) {
      records?.secretDigest?.(mergeSecretsDigestKey(change.key), newSecretDigest(merged));
      merged.fill(0);
    }
    return;
  }
  const ref = await domainRefs.get(change, () => client.getDomain(change.name));
  switch (step.op) {
    case 'undefine':
      domainRefs.forget(change);
      return undefine(client, ref, step);
    case 'start':
      return start(client, ref, payloadFlag(step, 'paused'));
    case 'shutdown':
      return shutdown(client, ref, payloadOptionalNumber(step, 'timeoutMs') ?? 60_000, progress);
    case 'setMemory':
      return client.setDomainMemory(ref, payloadNumber(step, 'kib'), {
        live: payloadFlag(step, 'live'),
        config: payloadFlag(step, 'config'),
      });
    case 'attachDevice':
      return client.attachDevice(ref, payloadString(step, 'xml'), impactOf(step));
    case 'updateDevice':
      return client.updateDevice(ref, payloadString(step, 'xml'), impactOf(step));
    case 'detachDevice':
      return detachDevice(client, ref, step, progress);
    case 'setVcpus':
      return client.setDomainVcpus(ref, payloadNumber(step, 'count'), {
        live: payloadFlag(step, 'live'),
        config: payloadFlag(step, 'config'),
      });
    case 'destroy':
      return client.destroyDomain(ref);
    case 'suspend':
      return client.suspendDomain(ref);
    case 'managedSave':
      return client.managedSaveDomain(ref, { resumeAs: 'running' });
    case 'discardSave':
      return client.removeManagedSaveImage(ref);
    case 'resume':
      return client.resumeDomain(ref);
    case 'setAutostart':
      return client.setDomainAutostart(ref, payloadFlag(step, 'autostart'));
    case 'setMetadata': {
      const type = payloadString(step, 'type');
      if (type !== 'title' && type !== 'description') throw new StepPayloadError(`step setMetadata: unknown type ${type}`);
      // null clears the text; a value that is neither is refused like any malformed payload.
      return client.setDomainMetadata(
        ref,
        { type, value: payloadOptionalString(step, 'value') ?? null },
        { config: payloadFlag(step, 'config'), live: payloadFlag(step, 'live') },
      );
    }
    default:
      throw unknownStep('Domain', step);
  }
}
