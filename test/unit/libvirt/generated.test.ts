// The generated protocol layer: it matches what the generator makes from the pinned libvirt
// source, covers every procedure of remote_protocol.x, and the hand-written definitions and
// constants agree with it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultSourceDir, generate, LIBVIRT_PIN, sourcePresent } from '../../../scripts/gen-libvirt-protocol.js';
import * as remote from '../../../src/libvirt/generated/remote-procedures.js';
import * as constants from '../../../src/libvirt/generated/constants.js';
import { ERROR_NUMBER_NAMES } from '../../../src/libvirt/generated/errors.js';
import type { ProcedureDef } from '../../../src/libvirt/rpc-types.js';
import * as connect from '../../../src/libvirt/connect.js';
import * as errors from '../../../src/libvirt/errors.js';
import { XdrReader, XdrWriter } from '../../../src/libvirt/xdr.js';

const root = path.resolve(import.meta.dirname, '../../..');
const sourceDir = defaultSourceDir();
const haveSource = sourcePresent(sourceDir);

describe.skipIf(!haveSource)(`generated layer vs libvirt ${LIBVIRT_PIN.version} source in ${sourceDir}`, () => {
  it('is exactly what the generator makes (run npm run gen:libvirt after changing it)', () => {
    for (const [rel, text] of generate(sourceDir)) {
      expect(readFileSync(path.join(root, rel), 'utf8'), rel).toBe(text);
    }
  });

  it('covers every procedure of remote_protocol.x', () => {
    const x = readFileSync(path.join(sourceDir, 'src/remote/remote_protocol.x'), 'utf8');
    const declared = [...x.matchAll(/^\s*REMOTE_PROC_([A-Z0-9_]+) = (\d+)/gm)].map((m) => [m[1]!, Number(m[2])] as const);
    expect(declared.length).toBeGreaterThan(440);
    for (const [name, number] of declared) expect(remote.PROCEDURE_NAMES[number], name).toBe(name);
    expect(remote.PROCEDURES.length + remote.EVENTS.length).toBe(declared.length);
  });
});

if (!haveSource) {
  it.skip(`regeneration check: libvirt ${LIBVIRT_PIN.version} source not in ${sourceDir} (run scripts/fetch-libvirt-source.sh)`, () => {});
}

function procedureDefs(mod: Record<string, unknown>): ProcedureDef<unknown, unknown>[] {
  return Object.values(mod).filter(
    (v): v is ProcedureDef<unknown, unknown> =>
      typeof v === 'object' && v !== null && 'number' in v && 'args' in v && 'ret' in v && 'name' in v,
  );
}

// Hand-written modules that export procedure definitions or libvirt constants.
const HAND_WRITTEN: Record<string, Record<string, unknown>> = { connect };

describe('hand-written modules agree with the generated layer', () => {
  it('export no procedure definitions of their own: connect.ts re-exports the generated ones', () => {
    const table = remote as unknown as Record<string, ProcedureDef<unknown, unknown>>;
    let checked = 0;
    for (const [mod, exports] of Object.entries(HAND_WRITTEN)) {
      for (const def of procedureDefs(exports)) {
        expect(def, `${mod}: ${def.name}`).toBe(table[def.name]);
        checked++;
      }
    }
    expect(checked).toBe(4);
  });

  it('every exported VIR_*/REMOTE_* constant has the value libvirt defines', () => {
    const gen = constants as unknown as Record<string, unknown>;
    let checked = 0;
    for (const [mod, exports] of Object.entries({ ...HAND_WRITTEN, errors })) {
      for (const [name, value] of Object.entries(exports)) {
        if (!/^(VIR|REMOTE)_[A-Z0-9_]+$/.test(name) || typeof value !== 'number' || !(name in gen)) continue;
        if (name.startsWith('REMOTE_PROC_')) continue;
        expect(value, `${mod}.${name}`).toBe(gen[name]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('names error codes from virterror.h', () => {
    expect(errors.errorCodeName(42)).toBe('VIR_ERR_NO_DOMAIN');
    expect(ERROR_NUMBER_NAMES[constants.VIR_ERR_MULTIPLE_DOMAINS]).toBe('VIR_ERR_MULTIPLE_DOMAINS');
    expect(errors.errorCodeName(9999)).toBe('VIR_ERR_9999');
  });
});

describe('generated codecs', () => {
  const roundTrip = <T>(codec: { encode(w: XdrWriter, v: T): void; decode(r: XdrReader): T }, v: T): T => {
    const w = new XdrWriter();
    codec.encode(w, v);
    const r = new XdrReader(w.toBuffer());
    const out = codec.decode(r);
    r.end();
    return out;
  };

  it('round-trip unions, optional data, fixed and variable arrays', () => {
    const params = {
      dom: { name: 'vm', uuid: '11111111-2222-3333-4444-555555555555', id: 3 },
      params: [
        { field: 'a', value: { type: 1 as const, i: -5 } },
        { field: 'b', value: { type: 4 as const, ul: 2n ** 63n } },
        { field: 'c', value: { type: 7 as const, s: 'x' } },
      ],
      flags: 0,
    };
    expect(roundTrip(remote.DOMAIN_SET_MEMORY_PARAMETERS.args, params)).toEqual(params);
    const info = {
      model: Array.from({ length: 32 }, (_, i) => (i < 6 ? 'x86_64'.charCodeAt(i) : 0)),
      memory: 1n,
      cpus: 2,
      mhz: 3,
      nodes: 1,
      sockets: 1,
      cores: 2,
      threads: 1,
    };
    expect(roundTrip(remote.NODE_GET_INFO.ret, info)).toEqual(info);
    const withOptional = { name: null, flags: 1 };
    expect(roundTrip(remote.CONNECT_OPEN.args, withOptional)).toEqual(withOptional);
  });

  it('mark slow and streaming procedures', () => {
    expect(remote.STORAGE_VOL_UPLOAD).toMatchObject({ slow: true, stream: 'write' });
    expect(remote.STORAGE_VOL_DOWNLOAD).toMatchObject({ slow: true, stream: 'read' });
    expect(remote.DOMAIN_MIGRATE_PERFORM3_PARAMS.slow).toBe(true);
    expect(remote.DOMAIN_GET_XML_DESC.slow).toBeUndefined();
    expect(remote.AUTH_POLKIT.priority).toBe('high');
  });
});
