// The plan of examples/manifests against a fresh test-driver host, in every output format.
// Refresh with UPDATE_GOLDEN=1 after reviewing the difference.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { LibvirtClient } from '../../src/libvirt/client.js';
import { loadManifests } from '../../src/manifests/loader.js';
import { defaultRegistry } from '../../src/resources/registry.js';
import { planAgainstHost } from '../../src/cli/commands/plan.js';
import { readHostIdentity } from '../../src/reconciler/live-state.js';
import { StateStore } from '../../src/state/index.js';
import type { Plan } from '../../src/reconciler/planner.js';
import { renderHuman } from '../../src/reconciler/render/human.js';
import { renderJson } from '../../src/reconciler/render/json.js';
import { renderMarkdown } from '../../src/reconciler/render/markdown.js';
import { expectGolden } from '../support/golden.js';
import { usePrivateLibvirtd } from '../support/libvirtd.js';

// The socket path in the real URI changes every run; goldens show a fixed one.
const CONNECT = 'test:///default';
const fixture = usePrivateLibvirtd();
let client: LibvirtClient;
let stateDir: string;
let plan: Plan;

beforeAll(async () => {
  client = await LibvirtClient.connect(fixture.daemon.testUri, { readOnly: true });
  stateDir = await mkdtemp(path.join(os.tmpdir(), 'vk-golden-'));
  const loaded = await loadManifests('examples/manifests');
  if (loaded.errors.length > 0) throw new Error(`examples do not load: ${JSON.stringify(loaded.errors)}`);
  const store = StateStore.open(stateDir);
  try {
    const state = store.host(await readHostIdentity(client), 'golden');
    ({ plan } = await planAgainstHost(client, loaded.state, defaultRegistry, state, { prune: false, persistIntents: false }));
  } finally {
    store.close();
  }
});

afterAll(async () => {
  await client?.close();
  await rm(stateDir, { recursive: true, force: true });
});

describe('plan of examples/manifests on a fresh test-driver host', () => {
  it('human', () => expectGolden('test/golden/plan/examples.txt', renderHuman(plan, { connect: CONNECT, color: false })));
  it('json', () => expectGolden('test/golden/plan/examples.json', renderJson(plan, CONNECT)));
  it('markdown', () => expectGolden('test/golden/plan/examples.md', renderMarkdown(plan, { connect: CONNECT })));
});
