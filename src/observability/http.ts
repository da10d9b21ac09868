/**
 * The daemon's single HTTP port: /metrics, /healthz, /readyz and /status. node:http only —
 * four fixed GET routes do not justify a framework dependency.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StatusSnapshot } from '../reconciler/status.js';

/** What /metrics needs; `Metrics` from ./metrics.ts satisfies it. */
export interface MetricsSource {
  readonly contentType: string;
  text(): Promise<string>;
}

export interface HttpServerOptions {
  /** Default 127.0.0.1: metrics and status are not meant for the network unless asked. */
  host?: string;
  /** 0 picks a free port (tests). */
  port: number;
  metrics: MetricsSource;
  status: () => StatusSnapshot | Promise<StatusSnapshot>;
  /**
   * Liveness beyond "the event loop answers": e.g. the controller's loop heartbeat is recent.
   * Default: always alive while the server responds.
   */
  isAlive?: () => boolean;
  /** Called when a handler fails (the client gets a 500); default ignores. */
  onError?: (err: unknown, path: string) => void;
}

export interface HttpServer {
  /** Base URL, e.g. `http://127.0.0.1:9464`. */
  readonly url: string;
  readonly port: number;
  /** /readyz turns 200; call after the first full sync. */
  markReady(): void;
  /** /readyz turns 503 again, e.g. while libvirt is unreachable. */
  markNotReady(): void;
  close(): Promise<void>;
}

const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

export async function startHttpServer(opts: HttpServerOptions): Promise<HttpServer> {
  const host = opts.host ?? '127.0.0.1';
  let ready = false;

  const routes: Record<string, (res: ServerResponse) => Promise<void> | void> = {
    '/metrics': async (res) => send(res, 200, opts.metrics.contentType, await opts.metrics.text()),
    '/healthz': (res) => {
      const alive = opts.isAlive ? opts.isAlive() : true;
      send(res, alive ? 200 : 503, TEXT, alive ? 'ok\n' : 'not alive\n');
    },
    '/readyz': (res) => send(res, ready ? 200 : 503, TEXT, ready ? 'ready\n' : 'not ready\n'),
    '/status': async (res) => send(res, 200, JSON_TYPE, `${JSON.stringify(await opts.status(), null, 2)}\n`),
  };

  const server = createServer((req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The host part is irrelevant; a fixed base keeps URL parsing from trusting the Host header.
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = routes[path];
    if (!route) return send(res, 404, TEXT, 'not found\n');
    // HEAD is answered like GET without a body (RFC 9110 requires both of general servers).
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, TEXT, 'method not allowed\n');
    }
    try {
      await route(res);
    } catch (err) {
      opts.onError?.(err, path);
      if (!res.headersSent) send(res, 500, TEXT, 'internal error\n');
      else res.destroy();
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    markReady() {
      ready = true;
    },
    markNotReady() {
      ready = false;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Scrapers keep connections alive; without this close() waits for their idle timeout.
        server.closeAllConnections();
      });
    },
  };
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.setHeader('Cache-Control', 'no-store');
  // Node drops the body of a HEAD response by itself, keeping the headers.
  res.end(body);
}
