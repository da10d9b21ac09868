import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observability/logger.js';

/** A destination that keeps what was written and can pretend to be a terminal. */
function sink(isTTY = false) {
  const chunks: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer | string, _enc, cb) {
        chunks.push(chunk.toString());
        cb();
      },
    }),
    { isTTY },
  );
  return { stream, text: () => chunks.join('') };
}

describe('createLogger', () => {
  it('writes one parseable JSON object per line in json mode', () => {
    const out = sink();
    const log = createLogger({ format: 'json', destination: out.stream, name: 'run' });
    log.info({ key: 'Domain/web-1' }, 'reconciled');
    log.error({ err: new Error('boom') }, 'failed');

    const lines = out.text().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const [first, second] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(first).toMatchObject({ level: 30, msg: 'reconciled', key: 'Domain/web-1', name: 'run' });
    expect(Number.isNaN(Date.parse(String(first!.time)))).toBe(false);
    expect(second).toMatchObject({ level: 50, msg: 'failed', err: { message: 'boom', type: 'Error' } });
  });

  it('redacts URL userinfo and graphics passwords in messages, fields and errors', () => {
    const out = sink();
    const log = createLogger({ format: 'json', destination: out.stream });
    log.warn(
      { url: 'https://ops:pw1@example.com/a.img', nested: { xml: '<graphics passwd="pw2"/>' } },
      'fetching https://ops:pw3@example.com/b',
    );
    log.error({ err: new Error('define failed: <graphics type="vnc" passwd="pw4"/>') }, 'apply failed');
    log.info('plain https://u:pw5@h/');
    const text = out.text();
    for (const secret of ['pw1', 'pw2', 'pw3', 'pw4', 'pw5']) expect(text).not.toContain(secret);
    expect(text).toContain('https://***@example.com/a.img');
    expect(text).toContain('passwd=\\"(sensitive)\\"');
  });

  it('honours the level', () => {
    const out = sink();
    const log = createLogger({ format: 'json', level: 'warn', destination: out.stream });
    log.info('hidden');
    log.warn('shown');
    expect(out.text()).not.toContain('hidden');
    expect(out.text()).toContain('shown');
  });

  it('defaults to JSON on a non-terminal and to readable text on a terminal', () => {
    const pipe = sink(false);
    createLogger({ destination: pipe.stream }).info('to a pipe');
    expect(() => JSON.parse(pipe.text())).not.toThrow();

    const tty = sink(true);
    createLogger({ destination: tty.stream }).info('to a terminal');
    expect(tty.text()).toContain('to a terminal');
    expect(() => JSON.parse(tty.text())).toThrow();
  });

  it('writes readable text when asked for pretty', () => {
    const out = sink(false);
    createLogger({ format: 'pretty', destination: out.stream }).warn({ key: 'Network/lan' }, 'drift');
    const text = out.text();
    expect(text).toMatch(/WARN.*drift/);
    expect(text).toContain('Network/lan');
    expect(text).not.toContain('\u001b['); // no colours when the destination is not a terminal
  });
});
