/**
 * Prometheus metrics of the daemon. Every instance owns a private Registry so tests (and a
 * library embedding virtkeeper) never collide on prom-client's global registry.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { virtkeeperVersion } from '../version.js';

export const METRIC_PREFIX = 'virtkeeper_';

/** `changed`: actions were applied; `unchanged`: already in sync; `error`: the reconcile failed. */
export type ReconcileMetricResult = 'changed' | 'unchanged' | 'error';

export interface CreateMetricsOptions {
  /** Process metrics (CPU, memory, event loop lag, GC…). Default true. */
  defaultMetrics?: boolean;
}

export interface Metrics {
  readonly registry: Registry;
  /** The value for a Content-Type header of `text()`. */
  readonly contentType: string;
  readonly reconcileTotal: Counter<'kind' | 'result'>;
  readonly reconcileDuration: Histogram<'kind' | 'result'>;
  readonly driftDetectedTotal: Counter<'kind'>;
  readonly managedObjects: Gauge<'kind' | 'state'>;
  readonly restartPending: Gauge<'kind'>;
  readonly lastSuccessfulSync: Gauge;
  readonly gitRevisionInfo: Gauge<'revision'>;
  readonly libvirtCallDuration: Histogram<'procedure'>;
  readonly queueDepth: Gauge;
  readonly libvirtConnectionUp: Gauge;

  /** Counts one reconcile and records how long it took. */
  observeReconcile(kind: string, result: ReconcileMetricResult, seconds: number): void;
  driftDetected(kind: string, count?: number): void;
  /** Replaces all managed_objects series, so kinds or states that disappeared drop to absent. */
  setManagedObjects(objects: Iterable<{ kind: string; state: string }>): void;
  /**
   * managed_objects and restart_pending are counted from `source` each time they are read (a
   * scrape), instead of on every change: a sync of N objects would otherwise count all N
   * objects N times (0.8 s of a 2.4 s daemon start at 1,551 objects).
   */
  countManagedObjectsFrom(source: () => Iterable<{ kind: string; state: string }>): void;
  setLastSuccessfulSync(at: Date): void;
  /** Keeps exactly one series: the old revision's label must not linger at value 1. */
  setGitRevision(revision: string | null): void;
  observeLibvirtCall(procedure: string, seconds: number): void;
  setQueueDepth(depth: number): void;
  setLibvirtConnectionUp(up: boolean): void;
  /** Prometheus text exposition of everything in the registry. */
  text(): Promise<string>;
}

const GAUGES_NAMED_TOTAL = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

// Reconciles include libvirt round trips and domain starts: from milliseconds to minutes.
const RECONCILE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
// Single RPCs over a local socket are sub-millisecond; over ssh/tls tens of ms; some (start) seconds.
const LIBVIRT_CALL_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createMetrics(opts: CreateMetricsOptions = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  const p = METRIC_PREFIX;

  if (opts.defaultMetrics ?? true) {
    // Unprefixed (process_*, nodejs_*): the names standard Node.js dashboards and alerts expect.
    collectDefaultMetrics({ register: registry });
    // Gauges named *_total break Prometheus' naming rules (promtool flags them); each is the sum of
    // the labelled gauge of the same name without the suffix, which stays.
    for (const name of GAUGES_NAMED_TOTAL) registry.removeSingleMetric(name);
  }
  const buildInfo = new Gauge({
    name: `${p}build_info`,
    help: 'virtkeeper build: version and Node.js version (value is always 1).',
    labelNames: ['version', 'nodejs_version'] as const,
    registers,
  });
  buildInfo.set({ version: virtkeeperVersion(), nodejs_version: process.versions.node }, 1);

  const reconcileTotal = new Counter({
    name: `${p}reconcile_total`,
    help: 'Reconciles of one object, by kind and result (changed, unchanged, error).',
    labelNames: ['kind', 'result'] as const,
    registers,
  });
  const reconcileDuration = new Histogram({
    name: `${p}reconcile_duration_seconds`,
    help: 'Time to reconcile one object, by kind and result.',
    labelNames: ['kind', 'result'] as const,
    buckets: RECONCILE_BUCKETS,
    registers,
  });
  const driftDetectedTotal = new Counter({
    name: `${p}drift_detected_total`,
    help: 'Objects found to differ from their manifest, by kind.',
    labelNames: ['kind'] as const,
    registers,
  });
  let managedSource: (() => Iterable<{ kind: string; state: string }>) | undefined;
  const countManaged = (): void => {
    if (managedSource) setManagedObjects(managedSource());
  };
  const managedObjects = new Gauge({
    name: `${p}managed_objects`,
    help: 'Objects in the manifests, by kind and sync state (synced, out-of-sync, restart-pending, stalled, refused, failed, pending).',
    labelNames: ['kind', 'state'] as const,
    registers,
    collect: countManaged,
  });
  const restartPending = new Gauge({
    name: `${p}restart_pending`,
    help: 'Objects running with config that differs from their definition until they restart, by kind.',
    labelNames: ['kind'] as const,
    registers,
    collect: countManaged,
  });
  function setManagedObjects(objects: Iterable<{ kind: string; state: string }>): void {
    const counts = new Map<string, { kind: string; state: string; n: number }>();
    for (const { kind, state } of objects) {
      const key = `${kind}\0${state}`;
      const entry = counts.get(key);
      if (entry) entry.n++;
      else counts.set(key, { kind, state, n: 1 });
    }
    managedObjects.reset();
    restartPending.reset();
    for (const { kind, state, n } of counts.values()) {
      managedObjects.set({ kind, state }, n);
      if (state === 'restart-pending') restartPending.set({ kind }, n);
    }
  }
  const lastSuccessfulSync = new Gauge({
    name: `${p}last_successful_sync_timestamp_seconds`,
    help: 'Unix time the last full sync pass completed.',
    registers,
  });
  const gitRevisionInfo = new Gauge({
    name: `${p}git_revision_info`,
    help: 'Git revision of the manifests in use (value is always 1).',
    labelNames: ['revision'] as const,
    registers,
  });
  const libvirtCallDuration = new Histogram({
    name: `${p}libvirt_call_duration_seconds`,
    help: 'Latency of libvirt remote procedure calls, by procedure.',
    labelNames: ['procedure'] as const,
    buckets: LIBVIRT_CALL_BUCKETS,
    registers,
  });
  const queueDepth = new Gauge({
    name: `${p}queue_depth`,
    help: 'Objects waiting to be reconciled, including those waiting out a retry backoff.',
    registers,
  });
  const libvirtConnectionUp = new Gauge({
    name: `${p}libvirt_connection_up`,
    help: '1 while the connection to libvirt is established, else 0.',
    registers,
  });
  libvirtConnectionUp.set(0);
  queueDepth.set(0);

  return {
    registry,
    contentType: registry.contentType,
    reconcileTotal,
    reconcileDuration,
    driftDetectedTotal,
    managedObjects,
    restartPending,
    lastSuccessfulSync,
    gitRevisionInfo,
    libvirtCallDuration,
    queueDepth,
    libvirtConnectionUp,

    observeReconcile(kind, result, seconds) {
      reconcileTotal.inc({ kind, result });
      reconcileDuration.observe({ kind, result }, seconds);
    },
    driftDetected(kind, count = 1) {
      driftDetectedTotal.inc({ kind }, count);
    },
    setManagedObjects,
    countManagedObjectsFrom(source) {
      managedSource = source;
    },
    setLastSuccessfulSync(at) {
      lastSuccessfulSync.set(at.getTime() / 1000);
    },
    setGitRevision(revision) {
      gitRevisionInfo.reset();
      if (revision !== null) gitRevisionInfo.set({ revision }, 1);
    },
    observeLibvirtCall(procedure, seconds) {
      libvirtCallDuration.observe({ procedure }, seconds);
    },
    setQueueDepth(depth) {
      queueDepth.set(depth);
    },
    setLibvirtConnectionUp(up) {
      libvirtConnectionUp.set(up ? 1 : 0);
    },
    text() {
      return registry.metrics();
    },
  };
}
