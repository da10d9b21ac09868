// The files of a cloud-init NoCloud seed (user-data, meta-data, and optionally network-config and
// vendor-data), rendered from a typed input. Pure: no file reading (fromFile: is resolved by the
// manifest loader before this runs) and no clock.
//
// cloud-init reads the seed from a filesystem labelled cidata; user-data and meta-data must both be
// present for the seed to count, even when user-data is empty. It parses YAML with PyYAML, that is
// YAML 1.1, where yes/no/on/off are booleans and 0777 is octal: we render with the yaml package in
// 1.1 mode so that a string such as "on" stays a string on the guest.
import { createHash } from 'node:crypto';
import { parseDocument, stringify, isMap, isSeq } from 'yaml';
import type { IsoFile } from '../iso/index.js';

export type CloudConfig = Record<string, unknown>;

export interface NoCloudInput {
  /** The domain's name: the default local-hostname, and part of every default instance-id. */
  domainName: string;
  /**
   * A cloud-config mapping (written as "#cloud-config" YAML) or the exact text of user-data: a
   * "#cloud-config" document, a "#!" script, or another type cloud-init knows by its first line.
   * Absent means an empty user-data file (cloud-init then configures nothing from it).
   */
  userData?: string | CloudConfig;
  /** meta-data keys; instance-id and local-hostname are defaulted when absent (see instanceIdFrom). */
  metaData?: Record<string, unknown>;
  /** Network configuration version 1 or 2 (cloud-init's "network-config" file), a mapping or YAML text. */
  networkConfig?: string | Record<string, unknown>;
  /** vendor-data, with the same forms as userData. */
  vendorData?: string | CloudConfig;
  /**
   * OpenSSH public keys (one per entry, "ssh-ed25519 AAAA… comment") added to the user-data's
   * ssh_authorized_keys, after any it lists. Needs cloud-config user-data (a mapping, "#cloud-config"
   * text or none); comments and layout of user-data text are kept.
   */
  sshAuthorizedKeys?: readonly string[];
  /**
   * How the default instance-id is chosen when metaData has none. cloud-init runs its per-instance
   * modules (users, ssh keys and host keys, write_files, runcmd, packages…) only on the first boot
   * with a new instance-id, so this decides whether a change of the seed re-provisions the guest:
   * - "domain" (default): derived from the domain name only. Editing user-data does not give a new
   *   instance-id: the guest keeps its identity and only per-boot modules see the change.
   * - "content": derived from the domain name and every file of the seed. Any change of user-data,
   *   vendor-data, network-config or meta-data gives a new instance-id, and cloud-init acts on it
   *   at the next boot as on a new instance (it regenerates SSH host keys, too).
   */
  instanceIdFrom?: 'domain' | 'content';
}

export interface NoCloudSeed {
  instanceId: string;
  /** The seed's files, ready for buildIso (volume label "cidata"). */
  files: IsoFile[];
}

export class NoCloudInputError extends Error {
  override name = 'NoCloudInputError';
  constructor(
    /** Where in cloudInit the problem is, e.g. "userData" or "metaData.local-hostname". */
    readonly field: string,
    problem: string,
  ) {
    super(`cloudInit.${field}: ${problem}`);
  }
}

/** The volume label cloud-init's NoCloud datasource looks for. */
export const NOCLOUD_LABEL = 'cidata';

/**
 * First lines cloud-init recognises in user-data and vendor-data (its "user-data formats"). Text
 * starting otherwise is ignored by cloud-init with only a log warning, so we refuse it here.
 */
const USER_DATA_HEADERS = [
  '#cloud-config',
  '#!',
  '#include',
  '#cloud-boothook',
  '#part-handler',
  '#cloud-config-archive',
  '## template: jinja',
  'Content-Type:',
];

export function renderNoCloud(input: NoCloudInput): NoCloudSeed {
  const userData = renderUserData('userData', withAuthorizedKeys(input.userData, input.sshAuthorizedKeys ?? []));
  const vendorData = input.vendorData === undefined ? undefined : renderUserData('vendorData', input.vendorData);
  const networkConfig = input.networkConfig === undefined ? undefined : renderNetworkConfig(input.networkConfig);
  const { 'instance-id': givenId, 'local-hostname': givenHostname, ...otherMeta } = input.metaData ?? {};
  const hostname = localHostname(givenHostname, input.domainName);

  // meta-data without instance-id: what a content-derived id is computed over, with the rest.
  const metaRest = yaml({ 'local-hostname': hostname, ...otherMeta });
  const instanceId =
    givenId !== undefined
      ? checkInstanceId(givenId)
      : defaultInstanceId(input.domainName, input.instanceIdFrom ?? 'domain', {
          'user-data': userData,
          'meta-data': metaRest,
          'network-config': networkConfig,
          'vendor-data': vendorData,
        });
  const metaData = yaml({ 'instance-id': instanceId, 'local-hostname': hostname, ...otherMeta });

  const files: IsoFile[] = [
    { name: 'meta-data', data: utf8(metaData) },
    { name: 'user-data', data: utf8(userData) },
  ];
  if (networkConfig !== undefined) files.push({ name: 'network-config', data: utf8(networkConfig) });
  if (vendorData !== undefined) files.push({ name: 'vendor-data', data: utf8(vendorData) });
  return { instanceId, files };
}

function renderUserData(field: string, value: string | CloudConfig | undefined): string {
  if (value === undefined) return '';
  if (typeof value !== 'string') return `#cloud-config\n${yaml(value)}`;
  if (value === '') return '';
  if (!USER_DATA_HEADERS.some((h) => value.startsWith(h))) {
    const first = value.split('\n', 1)[0].slice(0, 40);
    throw new NoCloudInputError(
      field,
      `starts with "${first}", which cloud-init does not recognise and would ignore; begin with "#cloud-config" (YAML) or "#!" (a script), or give a mapping`,
    );
  }
  if (value.startsWith('#cloud-config') && !value.startsWith('#cloud-config-archive')) checkYamlMapping(field, value, true);
  return value;
}

/** OpenSSH public key types (ssh-keygen -t, and FIDO keys). */
const PUBLIC_KEY =
  /^(ssh-(rsa|dss|ed25519)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/]+={0,3}( .*)?$/;

function withAuthorizedKeys(userData: string | CloudConfig | undefined, keys: readonly string[]): string | CloudConfig | undefined {
  if (keys.length === 0) return userData;
  for (const key of keys) {
    if (/PRIVATE KEY/.test(key))
      throw new NoCloudInputError(
        'sshAuthorizedKeys',
        'holds a private key, which must never go into a seed; give the public key (the .pub file)',
      );
    if (!PUBLIC_KEY.test(key))
      throw new NoCloudInputError(
        'sshAuthorizedKeys',
        `"${key.slice(0, 30)}…" is not an OpenSSH public key; give a line like "ssh-ed25519 AAAA… comment" (the .pub file)`,
      );
  }
  if (userData === undefined || userData === '') return { ssh_authorized_keys: [...keys] };
  if (typeof userData !== 'string') {
    const listed = userData.ssh_authorized_keys;
    if (listed !== undefined && !Array.isArray(listed))
      throw new NoCloudInputError(
        'userData.ssh_authorized_keys',
        'is not a list, so sshAuthorizedKeys cannot be added to it; make it a list',
      );
    return { ...userData, ssh_authorized_keys: [...((listed as unknown[] | undefined) ?? []), ...keys] };
  }
  if (!userData.startsWith('#cloud-config') || userData.startsWith('#cloud-config-archive')) {
    throw new NoCloudInputError(
      'sshAuthorizedKeys',
      'can only be added to cloud-config user-data; this user-data is another type (a script?): put the keys in it yourself, or make it #cloud-config',
    );
  }
  const doc = parseDocument(userData, { version: '1.1' });
  if (doc.errors.length > 0 || !isMap(doc.contents)) return userData; // renderUserData reports what is wrong
  const listed = doc.get('ssh_authorized_keys');
  if (listed === undefined) doc.set('ssh_authorized_keys', [...keys]);
  else if (isSeq(listed)) for (const key of keys) listed.add(key);
  else
    throw new NoCloudInputError(
      'userData.ssh_authorized_keys',
      'is not a list, so sshAuthorizedKeys cannot be added to it; make it a list',
    );
  // toString keeps the "#cloud-config" line and the user's comments.
  return doc.toString({ lineWidth: 0 });
}

function renderNetworkConfig(value: string | Record<string, unknown>): string {
  const text = typeof value === 'string' ? value : yaml(value);
  const config = checkYamlMapping('networkConfig', text, false);
  // cloud-init accepts the version at the top or under a "network:" key (as netplan files have it).
  const network = config.network;
  const version = config.version ?? (isRecord(network) ? network.version : undefined);
  if (version !== 1 && version !== 2) {
    throw new NoCloudInputError(
      'networkConfig',
      `has version ${JSON.stringify(version ?? null)}; cloud-init reads network configuration version 1 or 2 — add "version: 2" (netplan style) or "version: 1"`,
    );
  }
  return text;
}

/** Parses as cloud-init does (YAML 1.1) and returns the mapping; a syntax error names its line. */
function checkYamlMapping(field: string, text: string, emptyIsFine: boolean): Record<string, unknown> {
  const doc = parseDocument(text, { version: '1.1' });
  const error = doc.errors[0];
  if (error) {
    const where = error.linePos ? `line ${error.linePos[0].line}, column ${error.linePos[0].col}: ` : '';
    // prettyErrors (the default) fills linePos and appends " at line L, column C:" and a code frame.
    const message = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new NoCloudInputError(field, `${where}${message}; fix the YAML`);
  }
  if (doc.contents === null && emptyIsFine) return {};
  if (!isMap(doc.contents))
    throw new NoCloudInputError(field, 'is YAML but not a mapping (key: value pairs); cloud-init needs a mapping at the top');
  return doc.toJS() as Record<string, unknown>;
}

/** RFC 1123 host names: labels of letters, digits and hyphens, 1–63 characters, 253 in all. */
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function localHostname(given: unknown, domainName: string): string {
  if (given !== undefined) {
    if (typeof given !== 'string' || !HOSTNAME.test(given)) {
      throw new NoCloudInputError(
        'metaData.local-hostname',
        `${JSON.stringify(given)} is not a host name; use letters, digits, hyphens and dots (RFC 1123)`,
      );
    }
    return given;
  }
  if (!HOSTNAME.test(domainName)) {
    throw new NoCloudInputError(
      'metaData.local-hostname',
      `not set, and the domain name "${domainName}" is not a valid host name to default it from; set metaData.local-hostname`,
    );
  }
  return domainName;
}

function checkInstanceId(value: unknown): string {
  // cloud-init keeps per-instance state under /var/lib/cloud/instances/<instance-id>/.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: an id with a control character is refused
  if (typeof value !== 'string' || value === '' || value.includes('/') || /[\x00-\x1f]/.test(value)) {
    throw new NoCloudInputError(
      'metaData.instance-id',
      `${JSON.stringify(value)} cannot be an instance-id (cloud-init uses it as a directory name); use a non-empty string without "/"`,
    );
  }
  return value;
}

/**
 * "iid-vk-" and 16 hex digits of a SHA-256 over length-prefixed parts, so that no two different
 * inputs share a digest by concatenation. The domain name is always a part: two domains with the
 * same user-data never share an instance-id.
 */
function defaultInstanceId(domainName: string, from: 'domain' | 'content', files: Record<string, string | undefined>): string {
  const hash = createHash('sha256');
  const part = (text: string) => {
    const bytes = Buffer.from(text, 'utf8');
    hash.update(`${bytes.length}:`);
    hash.update(bytes);
  };
  part(`virtkeeper/nocloud/${from}`);
  part(domainName);
  if (from === 'content') {
    for (const name of Object.keys(files).sort()) {
      part(name);
      part(files[name] ?? '\0absent');
    }
  }
  return `iid-vk-${hash.digest('hex').slice(0, 16)}`;
}

function yaml(value: unknown): string {
  // lineWidth 0: never fold long strings (a folded ssh key is still valid YAML but hard to diff).
  return stringify(value, { version: '1.1', lineWidth: 0 });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
