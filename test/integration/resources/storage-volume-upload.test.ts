// StorageVolume spec.source against real storage: a dir pool in a temp directory, reached as
// qemu:///system through the private libvirtd (the storage driver is shared by every hypervisor
// connection of a daemon, and the test driver cannot upload). Sources are local files and a
// loopback HTTP server; nothing leaves 127.0.0.1.
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { LibvirtClient } from '../../../src/libvirt/client.js';
import type { StoragePoolManifest } from '../../../src/resources/storage-pool/schema.js';
import type { StorageVolumeManifest, StorageVolumeSpec } from '../../../src/resources/storage-volume/schema.js';
import { storagePoolKind } from '../../../src/resources/storage-pool/index.js';
import { storageVolumeKind } from '../../../src/resources/storage-volume/index.js';
import { usePrivateLibvirtd } from '../../support/libvirtd.js';
import { KindHarness, type AnyKind } from '../../unit/resources/common/harness.js';
import { manifest } from '../../unit/resources/common/live.js';
import { apply } from '../reconciler/support.js';
import type { Plan } from '../../../src/reconciler/planner.js';
import { describeError } from '../../../src/reconciler/executor.js';
import { formatChangeError } from '../../../src/reconciler/render/apply.js';
import { renderHuman } from '../../../src/reconciler/render/human.js';
import { renderJson } from '../../../src/reconciler/render/json.js';
import { renderMarkdown } from '../../../src/reconciler/render/markdown.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const KiB = 1024;

/** Compares two files in 8 MiB pieces (a 2 GiB image does not fit one Buffer comparison). */
async function sameContent(a: string, b: string): Promise<boolean> {
  const [fa, fb] = [await open(a), await open(b)];
  try {
    const [ba, bb] = [Buffer.alloc(8 << 20), Buffer.alloc(8 << 20)];
    for (let pos = 0; ; pos += ba.length) {
      const [ra, rb] = [await fa.read(ba, 0, ba.length, pos), await fb.read(bb, 0, bb.length, pos)];
      if (ra.bytesRead !== rb.bytesRead || !ba.subarray(0, ra.bytesRead).equals(bb.subarray(0, rb.bytesRead))) return false;
      if (ra.bytesRead === 0) return true;
    }
  } finally {
    await fa.close();
    await fb.close();
  }
}

/** Files the loopback server serves: with Content-Length, or chunked without one. */
interface Served {
  body: Buffer;
  chunked?: boolean;
  status?: number;
  /** Answers 401 unless the request carries this Authorization header. */
  authorization?: string;
  /** Answers 302 to this URL instead. */
  redirect?: string;
}

describe('StorageVolume upload on a real dir pool (qemu:///system of the private libvirtd)', () => {
  const fixture = usePrivateLibvirtd();
  let skipReason: string | undefined;
  let client: LibvirtClient;
  let h: KindHarness;
  let work: string;
  let poolDir: string;
  let pool: StoragePoolManifest;
  let server: http.Server;
  let baseUrl: string;
  const served = new Map<string, Served>();
  /** "<path> <Authorization or ->" of every request the loopback servers answered. */
  const seenAuthorization: string[] = [];

  const volume = (name: string, spec: Omit<StorageVolumeSpec, 'pool'>): StorageVolumeManifest =>
    manifest('StorageVolume', name, { pool: 'vk-upload', ...spec });
  const desired = (...extra: StorageVolumeManifest[]) => [pool, ...extra];
  const onDisk = (name: string) => path.join(poolDir, name);
  const lookup = async (name: string) => client.lookupStorageVolume(await client.getStoragePool('vk-upload'), name);
  const applyVolume = async (m: StorageVolumeManifest) => h.execute(storageVolumeKind, await h.plan(storageVolumeKind, m, desired()));
  const sourceFile = async (name: string, bytes: Buffer) => {
    const file = path.join(work, name);
    await writeFile(file, bytes);
    return file;
  };
  /** Skips (visibly) when the environment cannot give us a private qemu:///system. */
  const requireStorage = (ctx: TestContext) => {
    if (skipReason) ctx.skip(skipReason);
  };

  beforeAll(async () => {
    // Without the private mount namespace, a pool defined on qemu:///system would be written to
    // the host's /etc/libvirt; an unprivileged daemon has no /system driver at all.
    if (fixture.daemon.isolation !== 'namespaces') {
      skipReason = `needs root and unshare for a private qemu:///system (isolation is ${fixture.daemon.isolation})`;
      console.warn(`storage-volume-upload: skipped: ${skipReason}`);
      return;
    }
    try {
      client = await LibvirtClient.connect(fixture.daemon.uri('qemu', '/system'));
    } catch (err) {
      skipReason = `qemu:///system is not available through the private libvirtd: ${(err as Error).message}`;
      console.warn(`storage-volume-upload: skipped: ${skipReason}`);
      return;
    }
    work = await mkdtemp(path.join(os.tmpdir(), 'vk-upload-'));
    poolDir = path.join(work, 'pool');
    pool = manifest('StoragePool', 'vk-upload', { type: 'dir', path: poolDir });
    h = new KindHarness(client, [storagePoolKind, storageVolumeKind] as unknown as AnyKind[]);
    await h.execute(storagePoolKind, await h.plan(storagePoolKind, pool));

    server = http.createServer((req, res) => {
      const entry = served.get(req.url ?? '');
      if (!entry) {
        res.writeHead(404).end('not found');
        return;
      }
      seenAuthorization.push(`${req.url} ${req.headers.authorization ?? '-'}`);
      if (entry.redirect) {
        res.writeHead(302, { location: entry.redirect }).end();
        return;
      }
      if (entry.authorization !== undefined && req.headers.authorization !== entry.authorization) {
        res.writeHead(401, { 'www-authenticate': 'Bearer' }).end('unauthorized');
        return;
      }
      if (entry.chunked) {
        res.writeHead(entry.status ?? 200, { 'content-type': 'application/octet-stream' });
        for (let off = 0; off < entry.body.length; off += 10 * KiB) res.write(entry.body.subarray(off, off + 10 * KiB));
        res.end();
      } else {
        res.writeHead(entry.status ?? 200, { 'content-length': entry.body.length }).end(entry.body);
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await client?.close();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('source.path: the volume holds exactly the file, through several stream packets', async (ctx) => {
    requireStorage(ctx);
    const bytes = randomBytes(600 * KiB); // > 2 packets of 262120 bytes
    const m = volume('exact.img', {
      capacity: '600KiB',
      format: 'raw',
      source: { path: await sourceFile('exact.src', bytes), sha256: sha256(bytes) },
    });
    const change = await h.plan(storageVolumeKind, m, desired());
    expect(change.steps.map((s) => s.op)).toEqual(['createXml', 'upload']);
    await h.execute(storageVolumeKind, change);
    expect((await readFile(onDisk('exact.img'))).equals(bytes)).toBe(true);
    expect((await h.plan(storageVolumeKind, m, desired())).action).toBe('no-op');
  });

  it('a source smaller than the volume fills its beginning; the rest stays zero', async (ctx) => {
    requireStorage(ctx);
    const bytes = randomBytes(100 * KiB);
    await applyVolume(volume('small.img', { capacity: '1MiB', source: { path: await sourceFile('small.src', bytes) } }));
    const disk = await readFile(onDisk('small.img'));
    expect(disk.length).toBe(1024 * KiB);
    expect(disk.subarray(0, bytes.length).equals(bytes)).toBe(true);
    expect(disk.subarray(bytes.length).every((b) => b === 0)).toBe(true);
  });

  it('source.url with Content-Length and chunked without one, both from a loopback server', async (ctx) => {
    requireStorage(ctx);
    const a = randomBytes(300 * KiB);
    const b = randomBytes(123 * KiB + 7);
    served.set('/a.img', { body: a });
    served.set('/b.img', { body: b, chunked: true });
    await applyVolume(volume('url-a.img', { capacity: '300KiB', source: { url: `${baseUrl}/a.img`, sha256: sha256(a) } }));
    await applyVolume(volume('url-b.img', { capacity: '1MiB', source: { url: `${baseUrl}/b.img`, sha256: sha256(b) } }));
    expect((await readFile(onDisk('url-a.img'))).equals(a)).toBe(true);
    expect((await readFile(onDisk('url-b.img'))).subarray(0, b.length).equals(b)).toBe(true);
  });

  it('a SHA-256 mismatch fails the upload and deletes the volume it just created', async (ctx) => {
    requireStorage(ctx);
    served.set('/tampered.img', { body: randomBytes(50 * KiB) });
    const m = volume('tampered.img', {
      capacity: '1MiB',
      source: { url: `${baseUrl}/tampered.img`, sha256: sha256(Buffer.from('expected')) },
    });
    const err = await applyVolume(m).catch((e: unknown) => e as Error);
    expect(err?.message).toMatch(/SHA-256 is [0-9a-f]{64}, the manifest expects/);
    expect(err?.message).toMatch(/incomplete volume was deleted, so the next apply creates and uploads it again/);
    expect(await lookup('tampered.img')).toBeNull();
    expect(existsSync(onDisk('tampered.img'))).toBe(false);
    expect((await h.plan(storageVolumeKind, m, desired())).action).toBe('create');
  });

  it('a local file larger than the capacity is refused before anything is created', async (ctx) => {
    requireStorage(ctx);
    const m = volume('big-file.img', { capacity: '64KiB', source: { path: await sourceFile('big.src', randomBytes(65 * KiB)) } });
    await expect(applyVolume(m)).rejects.toThrow(
      /big\.src is 65KiB \(66560 bytes\), larger than the volume's capacity of 64KiB \(65536 bytes\); raise spec\.capacity; nothing was created/,
    );
    expect(await lookup('big-file.img')).toBeNull();
  });

  it('a download larger than the capacity fails (by Content-Length, or mid-stream when chunked) and leaves no volume', async (ctx) => {
    requireStorage(ctx);
    served.set('/big.img', { body: randomBytes(80 * KiB) });
    served.set('/big-chunked.img', { body: randomBytes(80 * KiB), chunked: true });
    await expect(applyVolume(volume('big-url.img', { capacity: '64KiB', source: { url: `${baseUrl}/big.img` } }))).rejects.toThrow(
      /big\.img is 80KiB \(81920 bytes\), larger than the volume's capacity of 64KiB/,
    );
    await expect(
      applyVolume(volume('big-chunked.img', { capacity: '64KiB', source: { url: `${baseUrl}/big-chunked.img` } })),
    ).rejects.toThrow(/big-chunked\.img is at least .*bytes\), larger than the volume's capacity of 64KiB/);
    expect(await lookup('big-url.img')).toBeNull();
    expect(await lookup('big-chunked.img')).toBeNull();
  });

  it('an HTTP error fails the upload and leaves no volume', async (ctx) => {
    requireStorage(ctx);
    await expect(applyVolume(volume('missing.img', { capacity: '1MiB', source: { url: `${baseUrl}/nope.img` } }))).rejects.toThrow(
      /cannot download http:\/\/127\.0\.0\.1:\d+\/nope\.img: HTTP 404/,
    );
    expect(await lookup('missing.img')).toBeNull();
  });

  it('a sparse 2 GiB image holding 300 MiB sends about 300 MiB: zeros go as stream holes, and the volume reads back the same', async (ctx) => {
    requireStorage(ctx);
    const GiB = 1024 * 1024 * KiB;
    const file = path.join(work, 'sparse.raw');
    const handle = await open(file, 'w');
    // 30 runs of 10 MiB of data, spread over the image; the rest is never written (file holes).
    const pieces = 30;
    for (let i = 0; i < pieces; i++)
      await handle.write(randomBytes(10 * 1024 * KiB), 0, 10 * 1024 * KiB, Math.floor((i * 2 * GiB) / pieces) + 4096 * i);
    await handle.truncate(2 * GiB);
    await handle.close();

    const m = volume('sparse.img', { capacity: '2GiB', format: 'raw', source: { path: file } });
    const change = await h.plan(storageVolumeKind, m, desired());
    const lines: string[] = [];
    for (const step of change.steps) await storageVolumeKind.execute(step, change, client, (line) => lines.push(line));
    const done = lines.at(-1) ?? '';
    const sent = /uploaded .*: ([\d.]+) MiB sent, ([\d.]+) GiB skipped as holes/.exec(done);
    expect(sent, lines.join('\n')).not.toBeNull();
    // The target of issue 15: at most 400 MiB of stream data (300 MiB of data, block-aligned).
    expect(Number(sent![1])).toBeGreaterThanOrEqual(300);
    expect(Number(sent![1])).toBeLessThanOrEqual(400);
    expect(Number(sent![1]) / 1024 + Number(sent![2])).toBeCloseTo(2, 1);
    // The daemon seeked over the holes: the volume is sparse on disk too, and holds the same bytes.
    const onDiskStat = await stat(onDisk('sparse.img'));
    expect(onDiskStat.size).toBe(2 * GiB);
    expect(onDiskStat.blocks * 512).toBeLessThan(400 * 1024 * KiB);
    expect(await sameContent(file, onDisk('sparse.img'))).toBe(true);
  }, 120_000);

  it('a qcow2 image smaller than the manifest capacity is grown to it, so the next plan is empty', async (ctx) => {
    requireStorage(ctx);
    const image = path.join(work, 'cloud.qcow2');
    try {
      execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', image, '1M']);
    } catch (err) {
      ctx.skip(`qemu-img is needed to make a qcow2 image: ${(err as Error).message}`);
    }
    const m = volume('vm.qcow2', { capacity: '4MiB', format: 'qcow2', source: { path: image } });
    await applyVolume(m);
    const info = await client.getStorageVolumeInfo((await lookup('vm.qcow2'))!);
    expect(info.capacityBytes).toBe(4n * 1024n * 1024n);
    expect((await h.plan(storageVolumeKind, m, desired())).action).toBe('no-op');
  });

  it('virtkeeper apply reports the failed upload, and applies cleanly once the source is fixed', async (ctx) => {
    requireStorage(ctx);
    const manifests = await mkdtemp(path.join(work, 'manifests-'));
    const good = randomBytes(20 * KiB);
    served.set('/release.img', { body: randomBytes(20 * KiB) }); // not the published content yet
    const yaml = (name: string, spec: Record<string, unknown>) =>
      `apiVersion: virtkeeper.io/v1\nkind: ${name === 'vk-upload' ? 'StoragePool' : 'StorageVolume'}\nmetadata: {name: ${name}}\nspec: ${JSON.stringify(spec)}\n`;
    await writeFile(path.join(manifests, 'pool.yaml'), yaml('vk-upload', { type: 'dir', path: poolDir }));
    await writeFile(
      path.join(manifests, 'release.yaml'),
      yaml('release.img', { pool: 'vk-upload', capacity: '1MiB', source: { url: `${baseUrl}/release.img`, sha256: sha256(good) } }),
    );
    const opts = { connect: fixture.daemon.uri('qemu', '/system'), stateDir: path.join(work, 'state'), color: false };
    const failed = await apply(manifests, opts);
    expect(failed.code).not.toBe(0);
    expect(failed.stdout + failed.stderr).toMatch(/release\.img[\s\S]*SHA-256 is [0-9a-f]{64}, the manifest expects/);
    expect(await lookup('release.img')).toBeNull();

    served.set('/release.img', { body: good });
    const fixed = await apply(manifests, opts);
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
    expect((await readFile(onDisk('release.img'))).subarray(0, good.length).equals(good)).toBe(true);
  });
  it("source.headers: a token from a Secret goes to the URL's origin only, never to where it redirects, and shows nowhere", async (ctx) => {
    requireStorage(ctx);
    const token = `Bearer tok-${randomBytes(8).toString('hex')}`;
    const good = randomBytes(20 * KiB);
    served.set('/private.img', { body: good, authorization: token });
    // Another origin (localhost is not 127.0.0.1) that would happily take the token.
    const elsewhere = baseUrl.replace('127.0.0.1', 'localhost');
    served.set('/moved.img', { body: Buffer.alloc(0), redirect: `${elsewhere}/private.img` });
    const manifests = await mkdtemp(path.join(work, 'headers-'));
    const doc = (kind: string, name: string, spec: Record<string, unknown>) =>
      `apiVersion: virtkeeper.io/v1\nkind: ${kind}\nmetadata: {name: ${name}}\nspec: ${JSON.stringify(spec)}\n---\n`;
    const write = (file: string) =>
      writeFile(
        path.join(manifests, 'all.yaml'),
        doc('StoragePool', 'vk-upload', { type: 'dir', path: poolDir }) +
          doc('Secret', 'image-token', { valueFrom: { env: 'VK_TEST_IMAGE_TOKEN' } }) +
          doc('StorageVolume', 'private.img', {
            pool: 'vk-upload',
            capacity: '1MiB',
            source: { url: `${baseUrl}/${file}`, sha256: sha256(good), headers: [{ name: 'Authorization', secret: 'image-token' }] },
          }),
      );
    const opts = {
      connect: fixture.daemon.uri('qemu', '/system'),
      stateDir: path.join(work, 'state-headers'),
      color: false,
      autoApprove: true,
    };
    process.env.VK_TEST_IMAGE_TOKEN = token;
    try {
      await write('moved.img');
      seenAuthorization.length = 0;
      const redirected = await apply(manifests, opts);
      expect(redirected.code).toBe(1);
      expect(redirected.stdout + redirected.stderr).toContain('HTTP 401');
      expect(seenAuthorization).toEqual([`/moved.img ${token}`, '/private.img -']);
      expect(await lookup('private.img')).toBeNull();

      await write('private.img');
      const applied = await apply(manifests, opts);
      expect(applied.code, applied.stdout + applied.stderr).toBe(0);
      expect(applied.stdout).toContain('upload');
      expect((await readFile(onDisk('private.img'))).subarray(0, good.length).equals(good)).toBe(true);
      for (const out of [redirected, applied]) expect(out.stdout + out.stderr).not.toContain(token.slice(7));
    } finally {
      delete process.env.VK_TEST_IMAGE_TOKEN;
    }
  });

  it('a source URL with user:pass@ that slipped past validate never shows its password: not in any plan format, not in the apply error', async (ctx) => {
    requireStorage(ctx);
    const password = `pw-${randomBytes(8).toString('hex')}`;
    served.set('/creds.img', { body: randomBytes(KiB) });
    const url = `${baseUrl.replace('http://', `http://vkuser:${password}@`)}/creds.img`;
    const change = await h.plan(storageVolumeKind, volume('creds.img', { capacity: '1MiB', source: { url } }), desired());
    expect(change.action).toBe('create');
    const plan: Plan = {
      changes: [change],
      waitsFor: new Map([[change.key, []]]),
      summary: { create: 1, update: 0, replace: 0, delete: 0, noOp: 0, refused: 0, restartPending: 0 },
      errors: [],
      retained: [],
      forgotten: [],
    };
    const rendered = [
      renderHuman(plan, { connect: 'test', color: false }),
      renderJson(plan, 'test'),
      renderMarkdown(plan, { connect: 'test' }),
    ];
    for (const text of rendered) {
      expect(text).toContain('127.0.0.1');
      expect(text).toContain('***@');
      expect(text).not.toContain(password);
      expect(text).not.toContain('vkuser');
    }
    const err = await h.execute(storageVolumeKind, change).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    const shown = formatChangeError(describeError(err, 'upload'));
    expect(shown).toMatch(/creds\.img[\s\S]*cannot download http:\/\/\*\*\*@127\.0\.0\.1/);
    expect(shown).not.toContain(password);
    expect((err as Error).message).not.toContain(password);
    expect(await lookup('creds.img')).toBeNull();
  });
});
