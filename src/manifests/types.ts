// Shape of the manifests virtkeeper reads: the envelope (apiVersion, kind, metadata) and the
// loading results. Field names are a public contract
// (resource mappers and users' YAML depend on them): add fields, never rename them.
//
// The spec types are not written here: each kind's folder derives them from its JSON Schema
// fragment (src/resources/<kind>/schema.ts, `Static<typeof …Schema>`), so the schema that
// validates input and the type the code programs against cannot drift apart.
//
// Units:
// - Size: a string "<number><unit>" with binary units B, KiB, MiB, GiB, TiB, PiB
//   ("2GiB", "512MiB", "1.5GiB", "1073741824B"), or a bare non-negative integer meaning KiB
//   (libvirt's default unit). Use parseSize() from ./units.ts to get bytes; never parse by hand.
// - PCI/USB numbers are plain integers; write them in hex in YAML (`bus: 0x06`).
import type { ListedKind, ListedManifest } from '../resources/definitions.js';

// Kind-agnostic field types of the schema DSL, shared by several kinds. The spec and manifest
// types of each kind (and its enum lists) are not re-exported here (issue #16: src/manifests
// names no kind): import them from the kind's own src/resources/<kind>/schema.ts.
export type { PciAddress, SecretAuth, SecretRef, Size, UsbAddress, XmlOverlay } from './schema/dsl.js';

export const API_VERSION = 'virtkeeper.io/v1';
export type ApiVersion = typeof API_VERSION;

/**
 * Every kind name. Derived from the one kind list (resources/definitions.ts, which also holds the
 * run-time MANIFEST_KINDS): this module names no kind.
 */
export type ManifestKind = ListedKind;

/** Annotations with a meaning to virtkeeper. */
export const ANNOTATION_PRUNE = 'virtkeeper.io/prune'; // value "disabled": never prune this object
export const ANNOTATION_ALLOW_REPLACE = 'virtkeeper.io/allow-replace'; // value "true": destroy+recreate allowed

export interface Metadata {
  /** Object name in libvirt; safe pattern ^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$. */
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

// ---------------------------------------------------------------- envelope

export interface Manifest<K extends string, S> {
  apiVersion: ApiVersion;
  kind: K;
  metadata: Metadata;
  spec: S;
}

/** A manifest of any kind: the union of the manifest types of the kind list. */
export type AnyManifest = ListedManifest;

export type ManifestOfKind<K extends ManifestKind> = Extract<AnyManifest, { kind: K }>;
export type SpecOfKind<K extends ManifestKind> = ManifestOfKind<K>['spec'];

/** "Domain/web-1", "StorageVolume/images/web-1-root". */
export type IdentityKey = string;

// ---------------------------------------------------------------- loading results

export interface SourceLocation {
  /** Relative to the loaded directory, forward slashes. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export interface ManifestError extends SourceLocation {
  /** Field path like "spec.disks[0].volume.name"; "" for whole-file problems. */
  path: string;
  message: string;
}

export interface LoadedManifest<M extends AnyManifest = AnyManifest> {
  key: IdentityKey;
  manifest: M;
  /** Where the document starts. */
  source: SourceLocation;
}

/** The validated set of manifests: what the reconciler wants the host to look like. */
export interface DesiredState {
  /** The directory as given to the loader. */
  root: string;
  /** Sorted by source file, line, column. */
  manifests: readonly LoadedManifest[];
  byKey: ReadonlyMap<IdentityKey, LoadedManifest>;
}
