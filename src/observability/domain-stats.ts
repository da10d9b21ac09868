// Per-domain statistics for /metrics (--domain-stats): one virConnectGetAllDomainStats call
// answers a scrape, and its answer is kept for CACHE_MS so several scrapers (or a dashboard
// refresh storm) cost libvirt one call. Counters are libvirt's own totals since the domain
// started, exposed as Prometheus counters.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { DomainStatsRecord } from '../libvirt/client.js';
import * as C from '../libvirt/generated/constants.js';
import { METRIC_PREFIX } from './metrics.js';

/** How long one answer serves scrapes. */
export const DOMAIN_STATS_CACHE_MS = 10_000;

export const DOMAIN_STATS_GROUPS =
  C.VIR_DOMAIN_STATS_CPU_TOTAL |
  C.VIR_DOMAIN_STATS_BALLOON |
  C.VIR_DOMAIN_STATS_VCPU |
  C.VIR_DOMAIN_STATS_INTERFACE |
  C.VIR_DOMAIN_STATS_BLOCK;

export interface DomainStatsSource {
  /** The statistics of every running domain; rejects when there is no connection. */
  fetch(): Promise<DomainStatsRecord[]>;
}

type Labels = Record<string, string>;

/** One sample: which metric, its labels, its value (already in the metric's unit). */
export interface StatsSample {
  metric: MetricName;
  labels: Labels;
  value: number;
}

interface MetricSpec {
  help: string;
  type: 'counter' | 'gauge';
  labels: readonly string[];
}

const METRICS = {
  domain_cpu_seconds_total: { help: 'CPU time the domain used (cpu.time).', type: 'counter', labels: ['domain'] },
  domain_vcpu_seconds_total: { help: 'CPU time each vCPU used (vcpu.N.time).', type: 'counter', labels: ['domain', 'vcpu'] },
  domain_balloon_current_bytes: { help: 'Memory the balloon gives the guest now (balloon.current).', type: 'gauge', labels: ['domain'] },
  domain_balloon_maximum_bytes: { help: 'Memory the guest may have at most (balloon.maximum).', type: 'gauge', labels: ['domain'] },
  domain_memory_rss_bytes: { help: 'Resident memory of the domain process on the host (balloon.rss).', type: 'gauge', labels: ['domain'] },
  domain_block_read_bytes_total: { help: 'Bytes read from a disk (block.N.rd.bytes).', type: 'counter', labels: ['domain', 'device'] },
  domain_block_write_bytes_total: { help: 'Bytes written to a disk (block.N.wr.bytes).', type: 'counter', labels: ['domain', 'device'] },
  domain_block_read_requests_total: { help: 'Read requests to a disk (block.N.rd.reqs).', type: 'counter', labels: ['domain', 'device'] },
  domain_block_write_requests_total: { help: 'Write requests to a disk (block.N.wr.reqs).', type: 'counter', labels: ['domain', 'device'] },
  domain_interface_receive_bytes_total: {
    help: 'Bytes received on an interface (net.N.rx.bytes).',
    type: 'counter',
    labels: ['domain', 'interface'],
  },
  domain_interface_transmit_bytes_total: {
    help: 'Bytes sent on an interface (net.N.tx.bytes).',
    type: 'counter',
    labels: ['domain', 'interface'],
  },
  domain_interface_receive_errors_total: {
    help: 'Receive errors on an interface (net.N.rx.errs).',
    type: 'counter',
    labels: ['domain', 'interface'],
  },
  domain_interface_transmit_errors_total: {
    help: 'Transmit errors on an interface (net.N.tx.errs).',
    type: 'counter',
    labels: ['domain', 'interface'],
  },
} as const satisfies Record<string, MetricSpec>;

export type MetricName = keyof typeof METRICS;

const NS = 1e9;
const KiB = 1024;

/** Per-device counters: libvirt's parameter suffix → our metric. */
const BLOCK: Array<[string, MetricName]> = [
  ['rd.bytes', 'domain_block_read_bytes_total'],
  ['wr.bytes', 'domain_block_write_bytes_total'],
  ['rd.reqs', 'domain_block_read_requests_total'],
  ['wr.reqs', 'domain_block_write_requests_total'],
];
const NET: Array<[string, MetricName]> = [
  ['rx.bytes', 'domain_interface_receive_bytes_total'],
  ['tx.bytes', 'domain_interface_transmit_bytes_total'],
  ['rx.errs', 'domain_interface_receive_errors_total'],
  ['tx.errs', 'domain_interface_transmit_errors_total'],
];

function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}

/** The samples one domain's record gives. Pure. */
export function domainSamples(record: DomainStatsRecord): StatsSample[] {
  const p = record.params;
  const domain = record.name;
  const out: StatsSample[] = [];
  const add = (metric: MetricName, labels: Labels, raw: unknown, scale = 1) => {
    const v = num(raw);
    if (v !== undefined) out.push({ metric, labels: { domain, ...labels }, value: v * scale });
  };
  add('domain_cpu_seconds_total', {}, p.get('cpu.time'), 1 / NS);
  add('domain_balloon_current_bytes', {}, p.get('balloon.current'), KiB);
  add('domain_balloon_maximum_bytes', {}, p.get('balloon.maximum'), KiB);
  add('domain_memory_rss_bytes', {}, p.get('balloon.rss'), KiB);
  const vcpus = num(p.get('vcpu.current')) ?? 0;
  for (let i = 0; i < vcpus; i++) add('domain_vcpu_seconds_total', { vcpu: String(i) }, p.get(`vcpu.${i}.time`), 1 / NS);
  const devices = (prefix: 'block' | 'net', label: 'device' | 'interface', fields: Array<[string, MetricName]>) => {
    const count = num(p.get(`${prefix}.count`)) ?? 0;
    for (let i = 0; i < count; i++) {
      const name = p.get(`${prefix}.${i}.name`);
      if (typeof name !== 'string') continue;
      for (const [suffix, metric] of fields) add(metric, { [label]: name }, p.get(`${prefix}.${i}.${suffix}`));
    }
  };
  devices('block', 'device', BLOCK);
  devices('net', 'interface', NET);
  return out;
}

/**
 * Registers the domain metrics in `registry`. Each scrape asks `source` at most once per
 * DOMAIN_STATS_CACHE_MS; when it fails (no connection, a driver without statistics) the domain
 * series are absent rather than stale, and `onError` hears why.
 */
export function registerDomainStats(
  registry: Registry,
  source: DomainStatsSource,
  options: { now?: () => number; onError?: (err: unknown) => void } = {},
): void {
  // A registry shared by two controllers (tests do it) keeps the first one's metrics.
  if (registry.getSingleMetric(`${METRIC_PREFIX}domain_cpu_seconds_total`)) return;
  const now = options.now ?? Date.now;
  // Grouped by metric once per answer: each of the metrics' collect() reads only its own.
  let cached: { at: number; samples: Promise<Map<MetricName, StatsSample[]>> } | undefined;
  const samples = (): Promise<Map<MetricName, StatsSample[]>> => {
    if (!cached || now() - cached.at >= DOMAIN_STATS_CACHE_MS) {
      const fetched = source.fetch().then(
        (records) => {
          const byMetric = new Map<MetricName, StatsSample[]>();
          for (const s of records.flatMap(domainSamples)) {
            const list = byMetric.get(s.metric);
            if (list) list.push(s);
            else byMetric.set(s.metric, [s]);
          }
          return byMetric;
        },
        (err: unknown) => {
          options.onError?.(err);
          cached = undefined; // the next scrape tries again
          return new Map<MetricName, StatsSample[]>();
        },
      );
      cached = { at: now(), samples: fetched };
    }
    return cached.samples;
  };

  for (const [name, spec] of Object.entries(METRICS) as Array<[MetricName, MetricSpec]>) {
    const config = { name: `${METRIC_PREFIX}${name}`, help: spec.help, labelNames: [...spec.labels], registers: [registry] };
    if (spec.type === 'counter') {
      const counter: Counter<string> = new Counter({
        ...config,
        async collect() {
          // libvirt keeps the totals: each scrape sets them afresh (a counter has no set()).
          counter.reset();
          for (const s of (await samples()).get(name) ?? []) counter.inc(s.labels, s.value);
        },
      });
    } else {
      const gauge: Gauge<string> = new Gauge({
        ...config,
        async collect() {
          gauge.reset();
          for (const s of (await samples()).get(name) ?? []) gauge.set(s.labels, s.value);
        },
      });
    }
  }
}
