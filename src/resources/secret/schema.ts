// The Secret spec: its JSON Schema fragment and the types derived from it (the one source of
// both; ../../manifests/schema/kinds.ts wraps it in the manifest envelope).
import type { Manifest } from '../../manifests/types.js';
import { absPath, arr, bool, enumOf, exactlyOne, forbidden, obj, str, type Static } from '../../manifests/schema/dsl.js';

const usageName = (what: string) =>
  str(what, { minLength: 1, maxLength: 1024, pattern: '^[^\\n\\r]+$', errorMessage: 'must be one line of at most 1024 characters' });

export const secretSpecSchema = obj(
  'A libvirt secret (volume encryption, ceph or iSCSI auth, TLS keys, vTPM): virtkeeper defines it and sets its value, read from a file, an environment variable or a command on the machine running virtkeeper. The value is never written in a manifest, never printed, and never read back from libvirt.',
  {
    usage: obj(
      'What libvirt uses the secret for; libvirt finds it by this usage. At most one; none: the Secret only holds a value for other manifests (a graphics password) and is not defined in libvirt.',
      {
        volume: absPath("Volume encryption (LUKS): the volume's path on the host."),
        ceph: usageName('Ceph auth for rbd disks and pools: a usage name, e.g. "client.admin secret".'),
        iscsi: usageName('iSCSI CHAP for disks and pools: a usage target name.'),
        tls: usageName('TLS keys (migration, NBD, chardevs): a usage name.'),
        vtpm: usageName('vTPM state encryption: a usage name.'),
      },
      [],
      { allOf: [exactlyOne(['volume', 'ceph', 'iscsi', 'tls', 'vtpm'], 'set exactly one of volume, ceph, iscsi, tls, vtpm')] },
    ),
    valueFrom: obj(
      'Where the value is read, at plan (to tell whether it changed) and at apply (to set it). Exactly one.',
      {
        file: absPath('A file on the machine running virtkeeper; one trailing newline is dropped.'),
        env: str('An environment variable of the virtkeeper process.', {
          pattern: '^[A-Za-z_][A-Za-z0-9_]{0,127}$',
          errorMessage: 'must be an environment variable name like CEPH_KEY',
        }),
        command: arr(
          'A program and its arguments, run without a shell; its standard output is the value (one trailing newline dropped).',
          str('An argument.', { maxLength: 4096 }),
          { minItems: 1, maxItems: 64 },
        ),
      },
      [],
      { allOf: [exactlyOne(['file', 'env', 'command'], 'set exactly one of file, env, command')] },
    ),
    value: forbidden(
      'a secret value must not be written in a manifest (it would be in git and in every plan); give valueFrom: {file|env|command} instead',
      'Not allowed: a value written here would be in git and in every plan. Use valueFrom.',
    ),
    encoding: enumOf(
      'raw (default): the value is the bytes read; base64: what is read is base64 text and the value is what it decodes to (ceph keys as ceph prints them).',
      ['raw', 'base64'],
      { default: 'raw' },
    ),
    description: str('Shown by virsh secret-list.', {
      maxLength: 1024,
      pattern: '^[^\\n\\r]*$',
      errorMessage: 'must be one line of at most 1024 characters',
    }),
    private: bool('libvirt never reveals the value to any client; default true.', { default: true }),
    uuid: str('Fixed UUID; omitted: libvirt generates one and virtkeeper keeps it.', {
      pattern: '^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$',
      errorMessage: 'must be a UUID like 4dea22b3-1d52-d8f3-2516-782e98ab3fa0',
    }),
  },
  ['valueFrom'],
);

export type SecretSpec = Static<typeof secretSpecSchema>;
/** What libvirt uses the secret for: exactly one usage, which is also how libvirt finds it. */
export type SecretUsage = NonNullable<SecretSpec['usage']>;
/**
 * Where the value comes from, on the machine running virtkeeper, read at plan (to tell whether it
 * changed) and at apply (to set it): exactly one of a file, an environment variable or a command.
 */
export type SecretValueFrom = SecretSpec['valueFrom'];

/** A Secret manifest: the envelope around this spec. */
export type SecretManifest = Manifest<'Secret', SecretSpec>;
