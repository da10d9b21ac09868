// Metrics only the daemon has, registered on the shared registry next to the ones in
// src/observability/metrics.ts: whether the manifests on disk are usable, and reload outcomes.
import { Counter, Gauge } from 'prom-client';
import { METRIC_PREFIX, type Metrics } from '../observability/metrics.js';

export type ReloadResult = 'applied' | 'unchanged' | 'invalid' | 'error';

export interface DaemonMetrics {
  /** 1 while the manifests last read are valid; 0 while an invalid tree is on disk (the last valid one stays in force). */
  setManifestsValid(valid: boolean): void;
  reload(result: ReloadResult): void;
  /** 1 while the empty-tree guard holds prune back (the manifests would empty the source or delete more than --prune-max). */
  setPruneBlocked(blocked: boolean): void;
  /** 1 while /readyz answers 200 (a full sync completed on the current connection). */
  setReady(ready: boolean): void;
  /** Objects the convergence guard holds back (changed, yet read back different on the same fields). */
  setStalledObjects(count: number): void;
}

export function createDaemonMetrics(metrics: Metrics): DaemonMetrics {
  const registers = [metrics.registry];
  // One Metrics registry per controller, but a caller may hand the same one to two controllers
  // (tests do): reuse what is already registered instead of failing on the duplicate name.
  const gauge = (name: string, help: string): Gauge =>
    (metrics.registry.getSingleMetric(`${METRIC_PREFIX}${name}`) as Gauge | undefined) ??
    new Gauge({ name: `${METRIC_PREFIX}${name}`, help, registers });
  const valid = gauge(
    'manifests_valid',
    '1 when the manifests on disk were valid at the last load, 0 when invalid (the last valid state stays in force).',
  );
  const reloads =
    (metrics.registry.getSingleMetric(`${METRIC_PREFIX}manifest_reloads_total`) as Counter<'result'> | undefined) ??
    new Counter({
      name: `${METRIC_PREFIX}manifest_reloads_total`,
      help: 'Loads of the manifests directory by result (applied, unchanged, invalid, error).',
      labelNames: ['result'] as const,
      registers,
    });
  const pruneBlocked = gauge(
    'prune_blocked',
    '1 while prune is refused by the empty-tree guard (empty manifests, or more than --prune-max of the recorded objects would go); nothing is deleted.',
  );
  pruneBlocked.set(0);
  const ready = gauge(
    'ready',
    '1 while the daemon is ready (/readyz 200: a full sync completed on the current libvirt connection), else 0.',
  );
  ready.set(0);
  const stalled = gauge(
    'stalled_objects',
    'Objects changed as their manifests say yet read back different on the same fields (libvirt does not keep them); retried only with backoff or when the manifest changes.',
  );
  stalled.set(0);
  return {
    setStalledObjects(n) {
      stalled.set(n);
    },
    setReady(r) {
      ready.set(r ? 1 : 0);
    },
    setPruneBlocked(b) {
      pruneBlocked.set(b ? 1 : 0);
    },
    setManifestsValid(v) {
      valid.set(v ? 1 : 0);
    },
    reload(result) {
      reloads.inc({ result });
    },
  };
}
