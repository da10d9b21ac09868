// LibvirtClient: the typed facade the reconciler and CLI use. It turns procedure structs into
// plain TypeScript (string unions for enums, canonical UUID strings, bigint byte sizes) and
// keeps the not-found convention in one place: `lookup*`/`find*` resolve null when the object
// does not exist, every other method rejects with the LibvirtError the daemon sent.
import { watchDeviceRemoved, type DeviceRemovedWatch } from './device-removed.js';
import type { CallOptions, ProcedureDef, RpcCaller, ServerMessage } from './rpc-types.js';
import * as P from './generated/remote-procedures.js';
import * as C from './generated/constants.js';
import {
  DOMAIN_STATE,
  NETWORK_UPDATE_COMMAND,
  NETWORK_UPDATE_SECTION,
  NODE_DEVICE_CAP_FLAGS,
  STORAGE_POOL_STATE,
  STORAGE_VOL_TYPE,
  type DomainState,
  type NetworkUpdateCommand,
  type NetworkUpdateSection,
  type NodeDeviceCap,
  type StoragePoolState,
  type StorageVolType,
} from './enum-names.js';
import type {
  RemoteNonnullDomain,
  RemoteNonnullInterface,
  RemoteNonnullNetwork,
  RemoteNonnullSecret,
  RemoteNonnullStoragePool,
  RemoteNonnullStorageVol,
  RemoteTypedParam,
} from './generated/remote-types.js';
import { zeroRuns } from './zero-runs.js';
import { bytesOf, dataOf, type UploadSource } from './upload-source.js';
import { errorCode, orNull } from './call-errors.js';
import { InactiveFlagSupport } from './inactive-flag.js';
import { openConnection, closeConnection } from './connect.js';
import { supportsStreams, type WriteStreamOptions } from './connection.js';
import {
  VIR_ERR_NO_DOMAIN,
  VIR_ERR_NO_DOMAIN_METADATA,
  VIR_ERR_NO_INTERFACE,
  VIR_ERR_NO_NETWORK,
  VIR_ERR_NO_NODE_DEVICE,
  VIR_ERR_NO_SECRET,
  VIR_ERR_NO_STORAGE_POOL,
  VIR_ERR_NO_STORAGE_VOL,
  VIR_ERR_NO_SUPPORT,
  VIR_ERR_OPERATION_DENIED,
} from './errors.js';

export type { DomainState } from './enum-names.js';

/** A libvirt secret: its uuid and its usage (type and id), as the protocol names it. */
export type SecretRef = RemoteNonnullSecret;
export type { StoragePoolState, StorageVolType } from './enum-names.js';
export type { NetworkUpdateCommand, NetworkUpdateSection } from './enum-names.js';
export type { NodeDeviceCap } from './enum-names.js';

// ---- public types --------------------------------------------------------------------------

/** A domain handle. `id` is the running domain's id, -1 while it is shut off. */
export interface DomainRef {
  readonly name: string;
  readonly uuid: string;
  readonly id: number;
}
export interface NetworkRef {
  readonly name: string;
  readonly uuid: string;
}
export interface StoragePoolRef {
  readonly name: string;
  readonly uuid: string;
}
/** `pool` is the pool's name; `key` is libvirt's stable volume key (usually its path). */
export interface StorageVolumeRef {
  readonly pool: string;
  readonly name: string;
  readonly key: string;
}
export interface InterfaceRef {
  readonly name: string;
  readonly mac: string;
}
export interface NodeDeviceRef {
  readonly name: string;
}

/** A libvirt version number (major*1e6 + minor*1e3 + release) taken apart. */
export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly release: number;
  readonly raw: number;
  /** "9.0.0" */
  readonly text: string;
}

export interface NodeInfo {
  model: string;
  memoryBytes: bigint;
  cpus: number;
  mhz: number;
  numaNodes: number;
  sockets: number;
  coresPerSocket: number;
  threadsPerCore: number;
}

export interface DomainStateInfo {
  state: DomainState;
  /** The state's reason code (virDomainRunningReason, virDomainShutoffReason, ...). */
  reason: number;
}

export interface DomainInfo {
  state: DomainState;
  maxMemoryBytes: bigint;
  memoryBytes: bigint;
  vcpus: number;
  cpuTimeNs: bigint;
}

export interface StoragePoolInfo {
  state: StoragePoolState;
  capacityBytes: bigint;
  allocationBytes: bigint;
  availableBytes: bigint;
}

export interface StorageVolumeInfo {
  type: StorageVolType;
  capacityBytes: bigint;
  allocationBytes: bigint;
}

/** Which part of a domain a device or metadata change touches; neither means "current". */
export interface Impact {
  /** The running instance. */
  live?: boolean;
  /** The persistent configuration. */
  config?: boolean;
}

export type MetadataType = 'description' | 'title' | 'element';

export interface ListFilter {
  /** Only active (true) or only inactive (false) objects. */
  active?: boolean;
  /** Only persistent (true) or only transient (false) objects. */
  persistent?: boolean;
  /** Only objects with autostart on (true) or off (false). */
  autostart?: boolean;
}

/** Domains can also be listed by state: "other" is every state but running, paused and shut off. */
export interface DomainListFilter extends ListFilter {
  state?: 'running' | 'paused' | 'shutoff' | 'other';
  /** Only domains with (true) or without (false) a managed save image. */
  managedSave?: boolean;
}

const DOMAIN_LIST_STATE_BITS: Record<NonNullable<DomainListFilter['state']>, number> = {
  running: C.VIR_CONNECT_LIST_DOMAINS_RUNNING,
  paused: C.VIR_CONNECT_LIST_DOMAINS_PAUSED,
  shutoff: C.VIR_CONNECT_LIST_DOMAINS_SHUTOFF,
  other: C.VIR_CONNECT_LIST_DOMAINS_OTHER,
};

export interface CallInfo {
  procedure: string;
  number: number;
  durationMs: number;
  /** Set when the call failed. */
  error?: unknown;
}

/** Where uploaded data lands in the volume. */
export interface UploadOptions extends WriteStreamOptions {
  /** Byte offset in the volume where the data starts (default 0). */
  offset?: bigint;
  /** Bytes the daemon should expect (default 0: until the source ends). */
  length?: bigint;
  /**
   * Send blocks of zeros as holes (VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM): the daemon seeks over
   * them instead of receiving them, so a mostly empty image costs what it holds.
   */
  sparse?: boolean;
  /** Called after every data packet or hole with the bytes of the source done so far. */
  onProgress?: (doneBytes: bigint) => void;
}

export interface UploadResult {
  /** Data bytes sent to the daemon. */
  bytes: bigint;
  /** Bytes of the source sent as holes (not sent at all). */
  holeBytes: bigint;
}

export type { UploadSource } from './upload-source.js';

export class StreamsUnsupportedError extends Error {
  override name = 'StreamsUnsupportedError';
}

export interface LibvirtClientOptions {
  /** Called after every remote call, e.g. to feed a latency histogram. Must not throw. */
  onCall?: (info: CallInfo) => void;
  /** The connection was opened read-only: calls libvirt denies there (secure XML) are not tried. */
  readOnly?: boolean;
  /** Releases the underlying connection; close() calls it once. */
  close?: () => Promise<void>;
}

export interface ConnectOptions {
  readOnly?: boolean;
  onCall?: (info: CallInfo) => void;
  /** Deadline of every call in ms (default 120 s, 0: none); see RpcConnectionOptions.callTimeoutMs. */
  callTimeoutMs?: number;
}

// ---- helpers -------------------------------------------------------------------------------

/** What a host's interface driver can do (LibvirtClient.interfaceBackend). */
export type InterfaceBackend = 'writable' | 'read-only' | 'unknown';

export interface DomainStatsRecord {
  name: string;
  params: ReadonlyMap<string, number | bigint | string | boolean>;
}

function typedParamValue(p: RemoteTypedParam): number | bigint | string | boolean {
  const v = p.value;
  switch (v.type) {
    case 1:
      return v.i;
    case 2:
      return v.ui;
    case 3:
      return v.l;
    case 4:
      return v.ul;
    case 5:
      return v.d;
    case 6:
      return v.b !== 0;
    case 7:
      return v.s;
  }
}

/**
 * `char model[32]` (NODE_GET_INFO) arrives as 32 XDR ints, one per C char; the string ends at
 * the first NUL and its bytes are UTF-8.
 */
function cString(chars: readonly number[]): string {
  const end = chars.indexOf(0);
  return Buffer.from((end < 0 ? chars : chars.slice(0, end)).map((c) => c & 0xff)).toString('utf8');
}

export function parseVersion(v: bigint | number): Version {
  const raw = Number(v);
  const major = Math.floor(raw / 1_000_000);
  const minor = Math.floor((raw % 1_000_000) / 1000);
  const release = raw % 1000;
  return { major, minor, release, raw, text: `${major}.${minor}.${release}` };
}

function impactFlags(impact: Impact = {}): number {
  return (impact.live ? C.VIR_DOMAIN_AFFECT_LIVE : 0) | (impact.config ? C.VIR_DOMAIN_AFFECT_CONFIG : 0);
}

const METADATA_TYPES: Record<MetadataType, number> = {
  description: C.VIR_DOMAIN_METADATA_DESCRIPTION,
  title: C.VIR_DOMAIN_METADATA_TITLE,
  element: C.VIR_DOMAIN_METADATA_ELEMENT,
};

/**
 * Every kind's list-all flags share the same ideas but not the same bits, so each kind passes
 * its own table.
 */
interface ListBits {
  active: number;
  inactive: number;
  persistent: number;
  transient: number;
  autostart: number;
  noAutostart: number;
}
function listFlags(f: ListFilter, bits: ListBits): number {
  let flags = 0;
  if (f.active !== undefined) flags |= f.active ? bits.active : bits.inactive;
  if (f.persistent !== undefined) flags |= f.persistent ? bits.persistent : bits.transient;
  if (f.autostart !== undefined) flags |= f.autostart ? bits.autostart : bits.noAutostart;
  return flags;
}

const DOMAIN_LIST_BITS: ListBits = {
  active: C.VIR_CONNECT_LIST_DOMAINS_ACTIVE,
  inactive: C.VIR_CONNECT_LIST_DOMAINS_INACTIVE,
  persistent: C.VIR_CONNECT_LIST_DOMAINS_PERSISTENT,
  transient: C.VIR_CONNECT_LIST_DOMAINS_TRANSIENT,
  autostart: C.VIR_CONNECT_LIST_DOMAINS_AUTOSTART,
  noAutostart: C.VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART,
};
const NETWORK_LIST_BITS: ListBits = {
  active: C.VIR_CONNECT_LIST_NETWORKS_ACTIVE,
  inactive: C.VIR_CONNECT_LIST_NETWORKS_INACTIVE,
  persistent: C.VIR_CONNECT_LIST_NETWORKS_PERSISTENT,
  transient: C.VIR_CONNECT_LIST_NETWORKS_TRANSIENT,
  autostart: C.VIR_CONNECT_LIST_NETWORKS_AUTOSTART,
  noAutostart: C.VIR_CONNECT_LIST_NETWORKS_NO_AUTOSTART,
};
const POOL_LIST_BITS: ListBits = {
  active: C.VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE,
  inactive: C.VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE,
  persistent: C.VIR_CONNECT_LIST_STORAGE_POOLS_PERSISTENT,
  transient: C.VIR_CONNECT_LIST_STORAGE_POOLS_TRANSIENT,
  autostart: C.VIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART,
  noAutostart: C.VIR_CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART,
};

// Handles are copied into fresh objects so a caller's extra properties never reach the encoder
// and our results never alias what a caller holds.
const domainHandle = (r: DomainRef): RemoteNonnullDomain => ({ name: r.name, uuid: r.uuid, id: r.id });
const networkHandle = (r: NetworkRef): RemoteNonnullNetwork => ({ name: r.name, uuid: r.uuid });
const poolHandle = (r: StoragePoolRef): RemoteNonnullStoragePool => ({ name: r.name, uuid: r.uuid });
const volHandle = (r: StorageVolumeRef): RemoteNonnullStorageVol => ({ pool: r.pool, name: r.name, key: r.key });
const ifaceHandle = (r: InterfaceRef): RemoteNonnullInterface => ({ name: r.name, mac: r.mac });
const devName = (r: NodeDeviceRef | string): string => (typeof r === 'string' ? r : r.name);

// ---- the client ----------------------------------------------------------------------------

export class LibvirtClient {
  /** The caller every method goes through (with the onCall hook applied); events use it too. */
  readonly rpc: RpcCaller;
  /** The caller this client was built on (rpc may wrap it); event subscriptions are shared per connection. */
  readonly connection: RpcCaller;
  private readonly closeFn: (() => Promise<void>) | undefined;
  private readonly onCall: ((info: CallInfo) => void) | undefined;
  private closing: Promise<void> | undefined;
  private readonly inactiveFlags = new InactiveFlagSupport();
  private interfaceBackendProbe: Promise<InterfaceBackend> | undefined;
  /** Opened read-only: libvirt refuses secure XML (passwords) there, so it is never asked for. */
  readonly readOnly: boolean;

  constructor(caller: RpcCaller, options: LibvirtClientOptions = {}) {
    this.connection = caller;
    this.rpc = options.onCall ? withCallHook(caller, options.onCall) : caller;
    this.closeFn = options.close;
    this.onCall = options.onCall;
    this.readOnly = options.readOnly ?? false;
  }

  /** Opens a connection (see connect.ts for URI forms) and wraps it. */
  static async connect(uri: string, options: ConnectOptions = {}): Promise<LibvirtClient> {
    const conn = await openConnection(uri, {
      readOnly: options.readOnly ?? false,
      ...(options.callTimeoutMs !== undefined ? { callTimeoutMs: options.callTimeoutMs } : {}),
    });
    return new LibvirtClient(conn, {
      ...(options.onCall ? { onCall: options.onCall } : {}),
      readOnly: options.readOnly ?? false,
      close: () => closeConnection(conn),
    });
  }

  /** Closes the connection this client was created with (idempotent). */
  close(): Promise<void> {
    this.closing ??= this.closeFn ? this.closeFn() : Promise.resolve();
    return this.closing;
  }

  private call<A, R>(proc: ProcedureDef<A, R>, args: A): Promise<R> {
    return this.rpc.call(proc, args);
  }

  // ---- host --------------------------------------------------------------------------------

  /**
   * Statistics of every domain in one call (virConnectGetAllDomainStats): `stats` is a mask of
   * VIR_DOMAIN_STATS_* groups, `flags` of VIR_CONNECT_GET_ALL_DOMAINS_STATS_*. Parameters come as
   * libvirt names them ("cpu.time", "block.0.rd.bytes"); 64-bit counters stay bigint.
   */
  async getAllDomainStats(stats: number, flags = 0): Promise<DomainStatsRecord[]> {
    const ret = await this.call(P.CONNECT_GET_ALL_DOMAIN_STATS, { doms: [], stats, flags });
    return ret.retStats.map((r) => ({ name: r.dom.name, params: new Map(r.params.map((p) => [p.field, typedParamValue(p)])) }));
  }

  async getHostname(): Promise<string> {
    return (await this.call(P.CONNECT_GET_HOSTNAME, undefined)).hostname;
  }

  /** Version of the libvirt daemon serving this connection. */
  async getLibVersion(): Promise<Version> {
    return parseVersion((await this.call(P.CONNECT_GET_LIB_VERSION, undefined)).lib_ver);
  }

  /** Hypervisor driver name, e.g. "QEMU" or "TEST". */
  async getHypervisorType(): Promise<string> {
    return (await this.call(P.CONNECT_GET_TYPE, undefined)).type;
  }

  async getHypervisorVersion(): Promise<Version> {
    return parseVersion((await this.call(P.CONNECT_GET_VERSION, undefined)).hv_ver);
  }

  /** The canonical URI of this connection as the daemon sees it. */
  async getUri(): Promise<string> {
    return (await this.call(P.CONNECT_GET_URI, undefined)).uri;
  }

  /** Capabilities XML (host CPU, guest types). */
  async getCapabilities(): Promise<string> {
    return (await this.call(P.CONNECT_GET_CAPABILITIES, undefined)).capabilities;
  }

  async getNodeInfo(): Promise<NodeInfo> {
    const r = await this.call(P.NODE_GET_INFO, undefined);
    return {
      model: cString(r.model),
      memoryBytes: r.memory * 1024n,
      cpus: r.cpus,
      mhz: r.mhz,
      numaNodes: r.nodes,
      sockets: r.sockets,
      coresPerSocket: r.cores,
      threadsPerCore: r.threads,
    };
  }

  // ---- domains -----------------------------------------------------------------------------

  async listDomains(filter: DomainListFilter = {}): Promise<DomainRef[]> {
    const saved =
      filter.managedSave === undefined
        ? 0
        : filter.managedSave
          ? C.VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE
          : C.VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE;
    const flags = listFlags(filter, DOMAIN_LIST_BITS) | (filter.state ? DOMAIN_LIST_STATE_BITS[filter.state] : 0) | saved;
    return (await this.call(P.CONNECT_LIST_ALL_DOMAINS, { need_results: 1, flags })).domains;
  }

  /** Null when no domain has this name. */
  lookupDomain(name: string): Promise<DomainRef | null> {
    return orNull(this.getDomain(name), VIR_ERR_NO_DOMAIN);
  }

  async getDomain(name: string): Promise<DomainRef> {
    return (await this.call(P.DOMAIN_LOOKUP_BY_NAME, { name })).dom;
  }

  /** Null when no domain has this UUID. */
  async lookupDomainByUuid(uuid: string): Promise<DomainRef | null> {
    return (await orNull(this.call(P.DOMAIN_LOOKUP_BY_UUID, { uuid }), VIR_ERR_NO_DOMAIN))?.dom ?? null;
  }

  /**
   * `inactive`: the persistent config rather than the running one (what diffs compare against);
   * `secure`: include passwords (needs a read-write connection).
   */
  async getDomainXml(ref: DomainRef, opts: { inactive?: boolean; secure?: boolean; migratable?: boolean } = {}): Promise<string> {
    const flags =
      (opts.secure ? C.VIR_DOMAIN_XML_SECURE : 0) |
      (opts.inactive ? C.VIR_DOMAIN_XML_INACTIVE : 0) |
      (opts.migratable ? C.VIR_DOMAIN_XML_MIGRATABLE : 0);
    return (await this.call(P.DOMAIN_GET_XML_DESC, { dom: domainHandle(ref), flags })).xml;
  }

  /** Defines (or redefines, matched by name/uuid) a persistent domain. */
  async defineDomain(xml: string, opts: { validate?: boolean } = {}): Promise<DomainRef> {
    return (await this.call(P.DOMAIN_DEFINE_XML_FLAGS, { xml, flags: opts.validate ? C.VIR_DOMAIN_DEFINE_VALIDATE : 0 })).dom;
  }

  undefineDomain(
    ref: DomainRef,
    opts: {
      managedSave?: boolean;
      snapshotsMetadata?: boolean;
      checkpointsMetadata?: boolean;
      nvram?: boolean;
      keepNvram?: boolean;
      tpm?: boolean;
      keepTpm?: boolean;
    } = {},
  ): Promise<void> {
    const flags =
      (opts.managedSave ? C.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE : 0) |
      (opts.snapshotsMetadata ? C.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA : 0) |
      (opts.checkpointsMetadata ? C.VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA : 0) |
      (opts.nvram ? C.VIR_DOMAIN_UNDEFINE_NVRAM : 0) |
      (opts.keepNvram ? C.VIR_DOMAIN_UNDEFINE_KEEP_NVRAM : 0) |
      (opts.tpm ? C.VIR_DOMAIN_UNDEFINE_TPM : 0) |
      (opts.keepTpm ? C.VIR_DOMAIN_UNDEFINE_KEEP_TPM : 0);
    return this.call(P.DOMAIN_UNDEFINE_FLAGS, { dom: domainHandle(ref), flags });
  }

  /** Starts a defined domain; resolves with the handle carrying its new id. */
  async startDomain(ref: DomainRef, opts: { paused?: boolean; autodestroy?: boolean; forceBoot?: boolean } = {}): Promise<DomainRef> {
    const flags =
      (opts.paused ? C.VIR_DOMAIN_START_PAUSED : 0) |
      (opts.autodestroy ? C.VIR_DOMAIN_START_AUTODESTROY : 0) |
      (opts.forceBoot ? C.VIR_DOMAIN_START_FORCE_BOOT : 0);
    return (await this.call(P.DOMAIN_CREATE_WITH_FLAGS, { dom: domainHandle(ref), flags })).dom;
  }

  /** Hard power-off. `graceful` asks libvirt not to SIGKILL a hypervisor process that lingers. */
  destroyDomain(ref: DomainRef, opts: { graceful?: boolean } = {}): Promise<void> {
    if (opts.graceful) return this.call(P.DOMAIN_DESTROY_FLAGS, { dom: domainHandle(ref), flags: C.VIR_DOMAIN_DESTROY_GRACEFUL });
    return this.call(P.DOMAIN_DESTROY, { dom: domainHandle(ref) });
  }

  /** Asks the guest to shut down (ACPI); returns before it has. */
  shutdownDomain(ref: DomainRef): Promise<void> {
    return this.call(P.DOMAIN_SHUTDOWN, { dom: domainHandle(ref) });
  }

  rebootDomain(ref: DomainRef): Promise<void> {
    return this.call(P.DOMAIN_REBOOT, { dom: domainHandle(ref), flags: 0 });
  }

  suspendDomain(ref: DomainRef): Promise<void> {
    return this.call(P.DOMAIN_SUSPEND, { dom: domainHandle(ref) });
  }

  resumeDomain(ref: DomainRef): Promise<void> {
    return this.call(P.DOMAIN_RESUME, { dom: domainHandle(ref) });
  }

  async getDomainState(ref: DomainRef): Promise<DomainStateInfo> {
    const r = await this.call(P.DOMAIN_GET_STATE, { dom: domainHandle(ref), flags: 0 });
    return { state: DOMAIN_STATE.name(r.state), reason: r.reason };
  }

  /** 'running' | 'paused' | 'shutoff' | ... */
  async domainState(ref: DomainRef): Promise<DomainState> {
    return (await this.getDomainState(ref)).state;
  }

  async getDomainInfo(ref: DomainRef): Promise<DomainInfo> {
    const r = await this.call(P.DOMAIN_GET_INFO, { dom: domainHandle(ref) });
    return {
      state: DOMAIN_STATE.name(r.state),
      maxMemoryBytes: r.maxMem * 1024n,
      memoryBytes: r.memory * 1024n,
      vcpus: r.nrVirtCpu,
      cpuTimeNs: r.cpuTime,
    };
  }

  async isDomainActive(ref: DomainRef): Promise<boolean> {
    return (await this.call(P.DOMAIN_IS_ACTIVE, { dom: domainHandle(ref) })).active !== 0;
  }

  async isDomainPersistent(ref: DomainRef): Promise<boolean> {
    return (await this.call(P.DOMAIN_IS_PERSISTENT, { dom: domainHandle(ref) })).persistent !== 0;
  }

  async getDomainAutostart(ref: DomainRef): Promise<boolean> {
    return (await this.call(P.DOMAIN_GET_AUTOSTART, { dom: domainHandle(ref) })).autostart !== 0;
  }

  setDomainAutostart(ref: DomainRef, autostart: boolean): Promise<void> {
    return this.call(P.DOMAIN_SET_AUTOSTART, { dom: domainHandle(ref), autostart: autostart ? 1 : 0 });
  }

  attachDevice(ref: DomainRef, deviceXml: string, impact: Impact = {}): Promise<void> {
    return this.call(P.DOMAIN_ATTACH_DEVICE_FLAGS, { dom: domainHandle(ref), xml: deviceXml, flags: impactFlags(impact) });
  }

  detachDevice(ref: DomainRef, deviceXml: string, impact: Impact = {}): Promise<void> {
    return this.call(P.DOMAIN_DETACH_DEVICE_FLAGS, { dom: domainHandle(ref), xml: deviceXml, flags: impactFlags(impact) });
  }

  /** Registers for the domain's device-removed events; register before detaching (see device-removed.ts). */
  watchDeviceRemoved(ref: DomainRef): Promise<DeviceRemovedWatch> {
    return watchDeviceRemoved(this.rpc, domainHandle(ref));
  }

  updateDevice(ref: DomainRef, deviceXml: string, impact: Impact = {}): Promise<void> {
    return this.call(P.DOMAIN_UPDATE_DEVICE_FLAGS, { dom: domainHandle(ref), xml: deviceXml, flags: impactFlags(impact) });
  }

  // ---- live configuration changes and managed save -------------------------------------------

  /** Balloon target (or with VIR_DOMAIN_AFFECT_CONFIG the configured current memory), in KiB. */
  setDomainMemory(ref: DomainRef, kib: number, impact: Impact = {}): Promise<void> {
    return this.call(P.DOMAIN_SET_MEMORY_FLAGS, { dom: domainHandle(ref), memory: BigInt(kib), flags: impactFlags(impact) });
  }

  /** Online vCPU count (hotplug on a running guest), at most the domain's maximum. */
  setDomainVcpus(ref: DomainRef, count: number, impact: Impact = {}): Promise<void> {
    return this.call(P.DOMAIN_SET_VCPUS_FLAGS, { dom: domainHandle(ref), nvcpus: count, flags: impactFlags(impact) });
  }

  /**
   * Saves the guest's memory to libvirt's managed save image and stops it; start restores it.
   * `resumeAs` fixes the state the restore gives (libvirt's default: the state it was saved in).
   */
  managedSaveDomain(ref: DomainRef, opts: { resumeAs?: 'running' | 'paused' } = {}): Promise<void> {
    const flags = opts.resumeAs === 'running' ? C.VIR_DOMAIN_SAVE_RUNNING : opts.resumeAs === 'paused' ? C.VIR_DOMAIN_SAVE_PAUSED : 0;
    return this.call(P.DOMAIN_MANAGED_SAVE, { dom: domainHandle(ref), flags });
  }

  async hasManagedSaveImage(ref: DomainRef): Promise<boolean> {
    return (await this.call(P.DOMAIN_HAS_MANAGED_SAVE_IMAGE, { dom: domainHandle(ref), flags: 0 })).result !== 0;
  }

  removeManagedSaveImage(ref: DomainRef): Promise<void> {
    return this.call(P.DOMAIN_MANAGED_SAVE_REMOVE, { dom: domainHandle(ref), flags: 0 });
  }

  // ---- domain metadata ---------------------------------------------------------------------

  /**
   * Sets (or with `value: null` removes) domain metadata. For 'element', `uri` is the namespace
   * that identifies the element and `key` the prefix libvirt writes it with.
   */
  setDomainMetadata(
    ref: DomainRef,
    md: { type: MetadataType; value: string | null; uri?: string; key?: string },
    impact: Impact = {},
  ): Promise<void> {
    return this.call(P.DOMAIN_SET_METADATA, {
      dom: domainHandle(ref),
      type: METADATA_TYPES[md.type],
      metadata: md.value,
      key: md.type === 'element' ? (md.key ?? null) : null,
      uri: md.type === 'element' ? (md.uri ?? null) : null,
      flags: impactFlags(impact),
    });
  }

  /** Throws VIR_ERR_NO_DOMAIN_METADATA when absent; see findDomainMetadata. */
  async getDomainMetadata(ref: DomainRef, md: { type: MetadataType; uri?: string }, impact: Impact = {}): Promise<string> {
    const r = await this.call(P.DOMAIN_GET_METADATA, {
      dom: domainHandle(ref),
      type: METADATA_TYPES[md.type],
      uri: md.type === 'element' ? (md.uri ?? null) : null,
      flags: impactFlags(impact),
    });
    return r.metadata;
  }

  /** Null when the domain has no such metadata. */
  findDomainMetadata(ref: DomainRef, md: { type: MetadataType; uri?: string }, impact: Impact = {}): Promise<string | null> {
    return orNull(this.getDomainMetadata(ref, md, impact), VIR_ERR_NO_DOMAIN_METADATA);
  }

  // ---- networks ----------------------------------------------------------------------------

  async listNetworks(filter: ListFilter = {}): Promise<NetworkRef[]> {
    return (await this.call(P.CONNECT_LIST_ALL_NETWORKS, { need_results: 1, flags: listFlags(filter, NETWORK_LIST_BITS) })).nets;
  }

  lookupNetwork(name: string): Promise<NetworkRef | null> {
    return orNull(this.getNetwork(name), VIR_ERR_NO_NETWORK);
  }

  async getNetwork(name: string): Promise<NetworkRef> {
    return (await this.call(P.NETWORK_LOOKUP_BY_NAME, { name })).net;
  }

  async lookupNetworkByUuid(uuid: string): Promise<NetworkRef | null> {
    return (await orNull(this.call(P.NETWORK_LOOKUP_BY_UUID, { uuid }), VIR_ERR_NO_NETWORK))?.net ?? null;
  }

  /** `inactive`: the persistent config (see InactiveFlagSupport for drivers without one). */
  getNetworkXml(ref: NetworkRef, opts: { inactive?: boolean } = {}): Promise<string> {
    const handle = networkHandle(ref);
    return this.inactiveFlags.read(
      'NETWORK_GET_XML_DESC',
      async (flags) => (await this.call(P.NETWORK_GET_XML_DESC, { net: handle, flags })).xml,
      C.VIR_NETWORK_XML_INACTIVE,
      opts.inactive ?? false,
    );
  }

  /**
   * Whether the driver keeps a network's running config apart from its persistent one, learnt
   * from an earlier inactive read on this connection (a driver without the INACTIVE flag has only
   * one config, so reading the running XML as well would read the same document twice).
   */
  keepsNetworkRunningConfig(): boolean {
    return this.inactiveFlags.knownSupported('NETWORK_GET_XML_DESC');
  }

  async defineNetwork(xml: string): Promise<NetworkRef> {
    return (await this.call(P.NETWORK_DEFINE_XML, { xml })).net;
  }

  undefineNetwork(ref: NetworkRef): Promise<void> {
    return this.call(P.NETWORK_UNDEFINE, { net: networkHandle(ref) });
  }

  startNetwork(ref: NetworkRef): Promise<void> {
    return this.call(P.NETWORK_CREATE, { net: networkHandle(ref) });
  }

  destroyNetwork(ref: NetworkRef): Promise<void> {
    return this.call(P.NETWORK_DESTROY, { net: networkHandle(ref) });
  }

  async isNetworkActive(ref: NetworkRef): Promise<boolean> {
    return (await this.call(P.NETWORK_IS_ACTIVE, { net: networkHandle(ref) })).active !== 0;
  }

  async isNetworkPersistent(ref: NetworkRef): Promise<boolean> {
    return (await this.call(P.NETWORK_IS_PERSISTENT, { net: networkHandle(ref) })).persistent !== 0;
  }

  async getNetworkAutostart(ref: NetworkRef): Promise<boolean> {
    return (await this.call(P.NETWORK_GET_AUTOSTART, { net: networkHandle(ref) })).autostart !== 0;
  }

  setNetworkAutostart(ref: NetworkRef, autostart: boolean): Promise<void> {
    return this.call(P.NETWORK_SET_AUTOSTART, { net: networkHandle(ref), autostart: autostart ? 1 : 0 });
  }

  async getNetworkBridgeName(ref: NetworkRef): Promise<string> {
    return (await this.call(P.NETWORK_GET_BRIDGE_NAME, { net: networkHandle(ref) })).name;
  }

  /**
   * virNetworkUpdate: changes one section (e.g. a DHCP host) in place. `parentIndex` picks the
   * <ip> element for ip-dhcp-* sections (-1: the first that fits).
   */
  updateNetwork(
    ref: NetworkRef,
    update: { command: NetworkUpdateCommand; section: NetworkUpdateSection; xml: string; parentIndex?: number },
    impact: Impact = {},
  ): Promise<void> {
    return this.call(P.NETWORK_UPDATE, {
      net: networkHandle(ref),
      command: NETWORK_UPDATE_COMMAND.value[update.command],
      section: NETWORK_UPDATE_SECTION.value[update.section],
      parentIndex: update.parentIndex ?? -1,
      xml: update.xml,
      flags: (impact.live ? C.VIR_NETWORK_UPDATE_AFFECT_LIVE : 0) | (impact.config ? C.VIR_NETWORK_UPDATE_AFFECT_CONFIG : 0),
    });
  }

  // ---- storage pools -----------------------------------------------------------------------

  async listStoragePools(filter: ListFilter = {}): Promise<StoragePoolRef[]> {
    return (await this.call(P.CONNECT_LIST_ALL_STORAGE_POOLS, { need_results: 1, flags: listFlags(filter, POOL_LIST_BITS) })).pools;
  }

  lookupStoragePool(name: string): Promise<StoragePoolRef | null> {
    return orNull(this.getStoragePool(name), VIR_ERR_NO_STORAGE_POOL);
  }

  async getStoragePool(name: string): Promise<StoragePoolRef> {
    return (await this.call(P.STORAGE_POOL_LOOKUP_BY_NAME, { name })).pool;
  }

  async lookupStoragePoolByUuid(uuid: string): Promise<StoragePoolRef | null> {
    return (await orNull(this.call(P.STORAGE_POOL_LOOKUP_BY_UUID, { uuid }), VIR_ERR_NO_STORAGE_POOL))?.pool ?? null;
  }

  /** `inactive`: the persistent config (see InactiveFlagSupport for drivers without one). */
  getStoragePoolXml(ref: StoragePoolRef, opts: { inactive?: boolean } = {}): Promise<string> {
    const handle = poolHandle(ref);
    return this.inactiveFlags.read(
      'STORAGE_POOL_GET_XML_DESC',
      async (flags) => (await this.call(P.STORAGE_POOL_GET_XML_DESC, { pool: handle, flags })).xml,
      C.VIR_STORAGE_XML_INACTIVE,
      opts.inactive ?? false,
    );
  }

  async defineStoragePool(xml: string): Promise<StoragePoolRef> {
    return (await this.call(P.STORAGE_POOL_DEFINE_XML, { xml, flags: 0 })).pool;
  }

  undefineStoragePool(ref: StoragePoolRef): Promise<void> {
    return this.call(P.STORAGE_POOL_UNDEFINE, { pool: poolHandle(ref) });
  }

  /** Creates the pool's underlying storage (directory, filesystem, ...). */
  buildStoragePool(ref: StoragePoolRef, opts: { overwrite?: boolean; noOverwrite?: boolean } = {}): Promise<void> {
    const flags =
      (opts.overwrite ? C.VIR_STORAGE_POOL_BUILD_OVERWRITE : 0) | (opts.noOverwrite ? C.VIR_STORAGE_POOL_BUILD_NO_OVERWRITE : 0);
    return this.call(P.STORAGE_POOL_BUILD, { pool: poolHandle(ref), flags });
  }

  startStoragePool(ref: StoragePoolRef, opts: { build?: boolean } = {}): Promise<void> {
    return this.call(P.STORAGE_POOL_CREATE, { pool: poolHandle(ref), flags: opts.build ? C.VIR_STORAGE_POOL_CREATE_WITH_BUILD : 0 });
  }

  destroyStoragePool(ref: StoragePoolRef): Promise<void> {
    return this.call(P.STORAGE_POOL_DESTROY, { pool: poolHandle(ref) });
  }

  /** Deletes the pool's underlying storage; destroys data. */
  deleteStoragePool(ref: StoragePoolRef, opts: { zeroed?: boolean } = {}): Promise<void> {
    return this.call(P.STORAGE_POOL_DELETE, { pool: poolHandle(ref), flags: opts.zeroed ? C.VIR_STORAGE_POOL_DELETE_ZEROED : 0 });
  }

  refreshStoragePool(ref: StoragePoolRef): Promise<void> {
    return this.call(P.STORAGE_POOL_REFRESH, { pool: poolHandle(ref), flags: 0 });
  }

  async isStoragePoolActive(ref: StoragePoolRef): Promise<boolean> {
    return (await this.call(P.STORAGE_POOL_IS_ACTIVE, { pool: poolHandle(ref) })).active !== 0;
  }

  async isStoragePoolPersistent(ref: StoragePoolRef): Promise<boolean> {
    return (await this.call(P.STORAGE_POOL_IS_PERSISTENT, { pool: poolHandle(ref) })).persistent !== 0;
  }

  async getStoragePoolAutostart(ref: StoragePoolRef): Promise<boolean> {
    return (await this.call(P.STORAGE_POOL_GET_AUTOSTART, { pool: poolHandle(ref) })).autostart !== 0;
  }

  setStoragePoolAutostart(ref: StoragePoolRef, autostart: boolean): Promise<void> {
    return this.call(P.STORAGE_POOL_SET_AUTOSTART, { pool: poolHandle(ref), autostart: autostart ? 1 : 0 });
  }

  async getStoragePoolInfo(ref: StoragePoolRef): Promise<StoragePoolInfo> {
    const r = await this.call(P.STORAGE_POOL_GET_INFO, { pool: poolHandle(ref) });
    return {
      state: STORAGE_POOL_STATE.name(r.state),
      capacityBytes: r.capacity,
      allocationBytes: r.allocation,
      availableBytes: r.available,
    };
  }

  /** Volumes of an active pool. */
  async listStorageVolumes(ref: StoragePoolRef): Promise<StorageVolumeRef[]> {
    return (await this.call(P.STORAGE_POOL_LIST_ALL_VOLUMES, { pool: poolHandle(ref), need_results: 1, flags: 0 })).vols;
  }

  // ---- storage volumes ---------------------------------------------------------------------

  lookupStorageVolume(pool: StoragePoolRef, name: string): Promise<StorageVolumeRef | null> {
    return orNull(this.getStorageVolume(pool, name), VIR_ERR_NO_STORAGE_VOL);
  }

  async getStorageVolume(pool: StoragePoolRef, name: string): Promise<StorageVolumeRef> {
    return (await this.call(P.STORAGE_VOL_LOOKUP_BY_NAME, { pool: poolHandle(pool), name })).vol;
  }

  async lookupStorageVolumeByPath(path: string): Promise<StorageVolumeRef | null> {
    return (await orNull(this.call(P.STORAGE_VOL_LOOKUP_BY_PATH, { path }), VIR_ERR_NO_STORAGE_VOL))?.vol ?? null;
  }

  async lookupStorageVolumeByKey(key: string): Promise<StorageVolumeRef | null> {
    return (await orNull(this.call(P.STORAGE_VOL_LOOKUP_BY_KEY, { key }), VIR_ERR_NO_STORAGE_VOL))?.vol ?? null;
  }

  async getStorageVolumeXml(ref: StorageVolumeRef): Promise<string> {
    return (await this.call(P.STORAGE_VOL_GET_XML_DESC, { vol: volHandle(ref), flags: 0 })).xml;
  }

  async getStorageVolumePath(ref: StorageVolumeRef): Promise<string> {
    return (await this.call(P.STORAGE_VOL_GET_PATH, { vol: volHandle(ref) })).name;
  }

  async createStorageVolume(
    pool: StoragePoolRef,
    xml: string,
    opts: { preallocMetadata?: boolean; validate?: boolean } = {},
  ): Promise<StorageVolumeRef> {
    const flags =
      (opts.preallocMetadata ? C.VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA : 0) | (opts.validate ? C.VIR_STORAGE_VOL_CREATE_VALIDATE : 0);
    return (await this.call(P.STORAGE_VOL_CREATE_XML, { pool: poolHandle(pool), xml, flags })).vol;
  }

  /** Creates a volume in `pool` from `xml`, copying its content from `source`. */
  async cloneStorageVolume(
    pool: StoragePoolRef,
    xml: string,
    source: StorageVolumeRef,
    opts: { preallocMetadata?: boolean } = {},
  ): Promise<StorageVolumeRef> {
    const r = await this.call(P.STORAGE_VOL_CREATE_XML_FROM, {
      pool: poolHandle(pool),
      xml,
      clonevol: volHandle(source),
      flags: opts.preallocMetadata ? C.VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA : 0,
    });
    return r.vol;
  }

  deleteStorageVolume(ref: StorageVolumeRef, opts: { zeroed?: boolean; withSnapshots?: boolean } = {}): Promise<void> {
    const flags = (opts.zeroed ? C.VIR_STORAGE_VOL_DELETE_ZEROED : 0) | (opts.withSnapshots ? C.VIR_STORAGE_VOL_DELETE_WITH_SNAPSHOTS : 0);
    return this.call(P.STORAGE_VOL_DELETE, { vol: volHandle(ref), flags });
  }

  /** New capacity in bytes (or the amount to add with `delta`); shrinking needs `shrink`. */
  resizeStorageVolume(
    ref: StorageVolumeRef,
    capacityBytes: bigint,
    opts: { allocate?: boolean; delta?: boolean; shrink?: boolean } = {},
  ): Promise<void> {
    const flags =
      (opts.allocate ? C.VIR_STORAGE_VOL_RESIZE_ALLOCATE : 0) |
      (opts.delta ? C.VIR_STORAGE_VOL_RESIZE_DELTA : 0) |
      (opts.shrink ? C.VIR_STORAGE_VOL_RESIZE_SHRINK : 0);
    return this.call(P.STORAGE_VOL_RESIZE, { vol: volHandle(ref), capacity: capacityBytes, flags });
  }

  async getStorageVolumeInfo(ref: StorageVolumeRef): Promise<StorageVolumeInfo> {
    const r = await this.call(P.STORAGE_VOL_GET_INFO, { vol: volHandle(ref) });
    return { type: STORAGE_VOL_TYPE.name(r.type), capacityBytes: r.capacity, allocationBytes: r.allocation };
  }

  /**
   * Writes `source` into the volume through a libvirt stream (virsh vol-upload). If the source
   * throws, the stream is aborted and the source's error is rethrown; an error of the daemon
   * (e.g. VIR_ERR_NO_SUPPORT on drivers without upload) rejects with its LibvirtError. The
   * daemon does not truncate: data shorter than the volume overwrites only its beginning.
   * `onCall` reports STORAGE_VOL_UPLOAD once, for the whole transfer.
   */
  async uploadStorageVolume(ref: StorageVolumeRef, source: UploadSource, opts: UploadOptions = {}): Promise<UploadResult> {
    const started = performance.now();
    const proc = P.STORAGE_VOL_UPLOAD;
    try {
      const result = await this.upload(ref, source, opts);
      this.report({ procedure: proc.name, number: proc.number, durationMs: performance.now() - started });
      return result;
    } catch (error) {
      this.report({ procedure: proc.name, number: proc.number, durationMs: performance.now() - started, error });
      throw error;
    }
  }

  private async upload(ref: StorageVolumeRef, source: UploadSource, opts: UploadOptions): Promise<UploadResult> {
    const conn = this.connection;
    if (!supportsStreams(conn)) throw new StreamsUnsupportedError('this connection cannot open libvirt streams (volume upload)');
    const flags = opts.sparse ? C.VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM : 0;
    const args = { vol: volHandle(ref), offset: opts.offset ?? 0n, length: opts.length ?? 0n, flags };
    const stream = await conn.openWriteStream(
      P.STORAGE_VOL_UPLOAD,
      args,
      opts.chunkBytes === undefined ? {} : { chunkBytes: opts.chunkBytes },
    );
    const progress = () => opts.onProgress?.(BigInt(stream.bytesSent) + stream.holeBytes);
    try {
      for await (const segment of opts.sparse ? zeroRuns(bytesOf(source)) : dataOf(source)) {
        if (segment.hole !== undefined) await stream.writeHole(segment.hole);
        else await stream.write(segment.data);
        progress();
      }
    } catch (err) {
      // Leaving the stream open would keep the daemon's side (and the volume) busy until disconnect.
      await stream.abort();
      throw err;
    }
    await stream.finish();
    return { bytes: BigInt(stream.bytesSent), holeBytes: stream.holeBytes };
  }

  private report(info: CallInfo): void {
    try {
      this.onCall?.(info);
    } catch {
      // A metrics hook must never turn a successful libvirt call into a failure.
    }
  }

  // ---- secrets -------------------------------------------------------------------------------
  // libvirt's secret driver keeps values for volumes (LUKS), ceph, iscsi, tls and vtpm. Values
  // are only ever written: virtkeeper never asks for one back (a private secret refuses anyway).

  /** This connection's driver has no secret driver (learnt by listSecrets). */
  #noSecretDriver = false;

  /**
   * Every secret; none on a driver without a secret driver (libvirt's test driver answers
   * VIR_ERR_NO_SUPPORT), learnt once per connection so a daemon's resyncs do not count a failed
   * call each time.
   */
  async listSecrets(): Promise<SecretRef[]> {
    if (this.#noSecretDriver) return [];
    try {
      return (await this.call(P.CONNECT_LIST_ALL_SECRETS, { need_results: 1, flags: 0 })).secrets;
    } catch (err) {
      if (errorCode(err) !== VIR_ERR_NO_SUPPORT) throw err;
      this.#noSecretDriver = true;
      return [];
    }
  }

  async getSecretXml(ref: SecretRef): Promise<string> {
    return (await this.call(P.SECRET_GET_XML_DESC, { secret: ref, flags: 0 })).xml;
  }

  /** Defines a new secret, or updates the one with the same uuid (or usage). */
  async defineSecret(xml: string): Promise<SecretRef> {
    return (await this.call(P.SECRET_DEFINE_XML, { xml, flags: 0 })).secret;
  }

  setSecretValue(ref: SecretRef, value: Uint8Array): Promise<void> {
    return this.call(P.SECRET_SET_VALUE, { secret: ref, value: Buffer.from(value.buffer, value.byteOffset, value.byteLength), flags: 0 });
  }

  undefineSecret(ref: SecretRef): Promise<void> {
    return this.call(P.SECRET_UNDEFINE, { secret: ref });
  }

  /** The secret with this usage (VIR_SECRET_USAGE_TYPE_*, usage id), or null. */
  async lookupSecretByUsage(usageType: number, usageID: string): Promise<SecretRef | null> {
    return (await orNull(this.call(P.SECRET_LOOKUP_BY_USAGE, { usageType, usageID }), VIR_ERR_NO_SECRET))?.secret ?? null;
  }

  // ---- host interfaces ---------------------------------------------------------------------

  async listInterfaces(filter: { active?: boolean } = {}): Promise<InterfaceRef[]> {
    const flags =
      filter.active === undefined ? 0 : filter.active ? C.VIR_CONNECT_LIST_INTERFACES_ACTIVE : C.VIR_CONNECT_LIST_INTERFACES_INACTIVE;
    return (await this.call(P.CONNECT_LIST_ALL_INTERFACES, { need_results: 1, flags })).ifaces;
  }

  lookupInterface(name: string): Promise<InterfaceRef | null> {
    return orNull(this.getInterface(name), VIR_ERR_NO_INTERFACE);
  }

  async getInterface(name: string): Promise<InterfaceRef> {
    return (await this.call(P.INTERFACE_LOOKUP_BY_NAME, { name })).iface;
  }

  async lookupInterfaceByMac(mac: string): Promise<InterfaceRef | null> {
    return (await orNull(this.call(P.INTERFACE_LOOKUP_BY_MAC_STRING, { mac }), VIR_ERR_NO_INTERFACE))?.iface ?? null;
  }

  /** `inactive`: the persistent config (see InactiveFlagSupport for drivers without one). */
  getInterfaceXml(ref: InterfaceRef, opts: { inactive?: boolean } = {}): Promise<string> {
    const handle = ifaceHandle(ref);
    return this.inactiveFlags.read(
      'INTERFACE_GET_XML_DESC',
      async (flags) => (await this.call(P.INTERFACE_GET_XML_DESC, { iface: handle, flags })).xml,
      C.VIR_INTERFACE_XML_INACTIVE,
      opts.inactive ?? false,
    );
  }

  /**
   * Whether this host's interface driver can define interfaces at all. libvirt's udev backend
   * (Debian 12, Ubuntu) only lists them; netcf and the test driver define. Probed by defining
   * `<interface/>`, which every backend that can define rejects as invalid before touching
   * anything, while the udev backend answers VIR_ERR_NO_SUPPORT. A read-only connection may not
   * define, so it cannot tell: 'unknown'. Asked once per connection.
   */
  interfaceBackend(): Promise<InterfaceBackend> {
    this.interfaceBackendProbe ??= this.readOnly
      ? Promise.resolve('unknown' as const)
      : this.call(P.INTERFACE_DEFINE_XML, { xml: '<interface/>', flags: 0 }).then(
          (): InterfaceBackend => 'writable',
          (err: unknown): InterfaceBackend =>
            errorCode(err) === VIR_ERR_NO_SUPPORT ? 'read-only' : errorCode(err) === VIR_ERR_OPERATION_DENIED ? 'unknown' : 'writable',
        );
    return this.interfaceBackendProbe;
  }

  async defineInterface(xml: string): Promise<InterfaceRef> {
    return (await this.call(P.INTERFACE_DEFINE_XML, { xml, flags: 0 })).iface;
  }

  undefineInterface(ref: InterfaceRef): Promise<void> {
    return this.call(P.INTERFACE_UNDEFINE, { iface: ifaceHandle(ref) });
  }

  startInterface(ref: InterfaceRef): Promise<void> {
    return this.call(P.INTERFACE_CREATE, { iface: ifaceHandle(ref), flags: 0 });
  }

  destroyInterface(ref: InterfaceRef): Promise<void> {
    return this.call(P.INTERFACE_DESTROY, { iface: ifaceHandle(ref), flags: 0 });
  }

  async isInterfaceActive(ref: InterfaceRef): Promise<boolean> {
    return (await this.call(P.INTERFACE_IS_ACTIVE, { iface: ifaceHandle(ref) })).active !== 0;
  }

  // ---- node devices ------------------------------------------------------------------------

  /**
   * Node devices, optionally only those with one of `capabilities`. Drivers without the list-all
   * call fall back to the older per-capability NODE_LIST_DEVICES.
   */
  async listNodeDevices(filter: { capabilities?: readonly NodeDeviceCap[] } = {}): Promise<NodeDeviceRef[]> {
    const caps = filter.capabilities ?? [];
    const flags = caps.reduce((acc, cap) => acc | NODE_DEVICE_CAP_FLAGS[cap], 0);
    const all = await orNull(this.call(P.CONNECT_LIST_ALL_NODE_DEVICES, { need_results: 1, flags }), VIR_ERR_NO_SUPPORT);
    if (all) return all.devices;
    const names = new Set<string>();
    for (const cap of caps.length ? caps : [null]) {
      for (const name of await this.listNodeDeviceNames(cap)) names.add(name);
    }
    return [...names].map((name) => ({ name }));
  }

  /** The older listing: names with one capability (or all). */
  async listNodeDeviceNames(cap: NodeDeviceCap | null = null): Promise<string[]> {
    const maxnames = (await this.call(P.NODE_NUM_OF_DEVICES, { cap, flags: 0 })).num;
    if (maxnames <= 0) return [];
    return (await this.call(P.NODE_LIST_DEVICES, { cap, maxnames, flags: 0 })).names;
  }

  lookupNodeDevice(name: string): Promise<NodeDeviceRef | null> {
    return orNull(this.getNodeDevice(name), VIR_ERR_NO_NODE_DEVICE);
  }

  async getNodeDevice(name: string): Promise<NodeDeviceRef> {
    return (await this.call(P.NODE_DEVICE_LOOKUP_BY_NAME, { name })).dev;
  }

  async getNodeDeviceXml(ref: NodeDeviceRef | string): Promise<string> {
    return (await this.call(P.NODE_DEVICE_GET_XML_DESC, { name: devName(ref), flags: 0 })).xml;
  }

  /** Parent device name, null for the root ("computer"). */
  async getNodeDeviceParent(ref: NodeDeviceRef | string): Promise<string | null> {
    return (await this.call(P.NODE_DEVICE_GET_PARENT, { name: devName(ref) })).parentName;
  }

  async listNodeDeviceCapabilities(ref: NodeDeviceRef | string): Promise<string[]> {
    const name = devName(ref);
    const maxnames = (await this.call(P.NODE_DEVICE_NUM_OF_CAPS, { name })).num;
    if (maxnames <= 0) return [];
    return (await this.call(P.NODE_DEVICE_LIST_CAPS, { name, maxnames })).names;
  }

  /** Unbinds a host device from its driver for passthrough; `driver` e.g. "vfio". */
  detachNodeDevice(ref: NodeDeviceRef | string, opts: { driver?: string } = {}): Promise<void> {
    return this.call(P.NODE_DEVICE_DETACH_FLAGS, { name: devName(ref), driverName: opts.driver ?? null, flags: 0 });
  }

  reattachNodeDevice(ref: NodeDeviceRef | string): Promise<void> {
    return this.call(P.NODE_DEVICE_RE_ATTACH, { name: devName(ref) });
  }

  resetNodeDevice(ref: NodeDeviceRef | string): Promise<void> {
    return this.call(P.NODE_DEVICE_RESET, { name: devName(ref) });
  }
}

/** Wraps a caller so every call reports its procedure, duration and outcome. */
function withCallHook(caller: RpcCaller, onCall: (info: CallInfo) => void): RpcCaller {
  const report = (info: CallInfo): void => {
    try {
      onCall(info);
    } catch {
      // A metrics hook must never turn a successful libvirt call into a failure.
    }
  };
  return {
    async call<A, R>(proc: ProcedureDef<A, R>, args: A, options?: CallOptions): Promise<R> {
      const started = performance.now();
      try {
        const result = await caller.call(proc, args, options);
        report({ procedure: proc.name, number: proc.number, durationMs: performance.now() - started });
        return result;
      } catch (error) {
        report({ procedure: proc.name, number: proc.number, durationMs: performance.now() - started, error });
        throw error;
      }
    },
    onMessage(listener: (msg: ServerMessage) => void): () => void {
      return caller.onMessage(listener);
    },
  };
}
