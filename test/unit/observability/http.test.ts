import { afterEach, describe, expect, it } from 'vitest';
import { startHttpServer, type HttpServer, type HttpServerOptions } from '../../../src/observability/http.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { StatusStore, type StatusSnapshot } from '../../../src/reconciler/status.js';

const servers: HttpServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(overrides: Partial<HttpServerOptions> = {}): Promise<HttpServer> {
  const metrics = createMetrics({ defaultMetrics: false });
  metrics.observeReconcile('Domain', 'changed', 0.5);
  const store = new StatusStore({ now: () => new Date('2025-01-01T00:00:00.000Z') });
  store.record('Domain', 'web-1', { state: 'synced', changed: true });
  store.record('Network', 'lan', { state: 'failed', error: { code: 'VIR_ERR_NO_NETWORK', message: 'gone' } });
  store.setRevision('abc1234');
  const server = await startHttpServer({ port: 0, metrics, status: () => store.snapshot(), ...overrides });
  servers.push(server);
  return server;
}

describe('startHttpServer', () => {
  it('binds 127.0.0.1 on an ephemeral port by default', async () => {
    const s = await start();
    expect(s.url).toBe(`http://127.0.0.1:${s.port}`);
    expect(s.port).toBeGreaterThan(0);
  });

  it('serves prometheus text on /metrics', async () => {
    const s = await start();
    const res = await fetch(`${s.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await res.text()).toContain('virtkeeper_reconcile_total{kind="Domain",result="changed"} 1');
  });

  it('answers /healthz with 200, or 503 when the liveness check says so', async () => {
    let alive = true;
    const s = await start({ isAlive: () => alive });
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    alive = false;
    expect((await fetch(`${s.url}/healthz`)).status).toBe(503);
  });

  it('answers /readyz with 503 until markReady, and again after markNotReady', async () => {
    const s = await start();
    expect((await fetch(`${s.url}/readyz`)).status).toBe(503);
    s.markReady();
    expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
    s.markNotReady();
    expect((await fetch(`${s.url}/readyz`)).status).toBe(503);
  });

  it('serves the status snapshot as JSON on /status', async () => {
    const s = await start();
    const res = await fetch(`${s.url}/status?verbose=1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = (await res.json()) as StatusSnapshot;
    expect(body.revision).toBe('abc1234');
    expect(body.lastSync).toBeNull();
    expect(body.objects).toEqual([
      { kind: 'Domain', name: 'web-1', state: 'synced', lastChange: '2025-01-01T00:00:00.000Z', lastSync: '2025-01-01T00:00:00.000Z' },
      {
        kind: 'Network',
        name: 'lan',
        state: 'failed',
        lastError: { code: 'VIR_ERR_NO_NETWORK', message: 'gone' },
        lastChange: '2025-01-01T00:00:00.000Z',
      },
    ]);
  });

  it('returns 404 for unknown paths and 405 with Allow for other methods', async () => {
    const s = await start();
    expect((await fetch(`${s.url}/`)).status).toBe(404);
    expect((await fetch(`${s.url}/metrics/extra`)).status).toBe(404);
    const post = await fetch(`${s.url}/metrics`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await fetch(`${s.url}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('turns a failing provider into a 500 and reports it', async () => {
    const errors: string[] = [];
    const s = await start({
      status: () => Promise.reject(new Error('store exploded')),
      onError: (err, path) => errors.push(`${path}: ${(err as Error).message}`),
    });
    const res = await fetch(`${s.url}/status`);
    expect(res.status).toBe(500);
    expect(errors).toEqual(['/status: store exploded']);
  });

  it('closes promptly even with a keep-alive connection open', async () => {
    const s = await start();
    await (await fetch(`${s.url}/healthz`)).text();
    servers.splice(servers.indexOf(s), 1);
    const t0 = Date.now();
    await s.close();
    expect(Date.now() - t0).toBeLessThan(1000);
    await expect(fetch(`${s.url}/healthz`)).rejects.toThrow();
  });

  it('rejects when the port is taken', async () => {
    const s = await start();
    await expect(start({ port: s.port })).rejects.toThrow(/EADDRINUSE/);
  });
});
