// What both ways of reconciling in the daemon work with: the full sync (daemon-full-sync.ts) and
// one key's reconcile (daemon-key-reconcile.ts) read the same source and connection and keep the
// same books; the controller builds this once and hands it to both.
import type { Logger } from '../observability/logger.js';
import type { AppliedRevision } from './applied-revision.js';
import type { ObjectBookkeeping } from './daemon-bookkeeping.js';
import type { ConnectionLoop } from './daemon-connection.js';
import type { EchoFilter } from './daemon-echoes.js';
import type { ControllerEngine } from './daemon-engine.js';
import type { ManifestSource } from './daemon-source.js';
import type { SyncGate } from './sync-gate.js';

export interface ReconcileParts {
  engine: ControllerEngine;
  logger: Logger;
  source: Pick<ManifestSource, 'desired'>;
  connection: Pick<ConnectionLoop, 'session' | 'inventory' | 'live' | 'lost'>;
  book: ObjectBookkeeping;
  echoes: EchoFilter;
  gate: SyncGate;
  applied: AppliedRevision;
  /** Delete owned objects whose manifests are gone. */
  prune: boolean;
}
