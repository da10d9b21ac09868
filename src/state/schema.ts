// The state database's tables. One migration per schema version, applied in order inside one
// transaction; PRAGMA user_version says which ones ran. Add migrations, never edit one.
export const SCHEMA_MIGRATIONS: readonly string[] = [
  `
  -- Every object virtkeeper created or adopted, per host, with the source that owns it.
  CREATE TABLE objects (
    host TEXT NOT NULL,
    key TEXT NOT NULL,
    owner TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    live_key TEXT,
    origin TEXT NOT NULL CHECK (origin IN ('created', 'adopted')),
    prune_disabled INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (host, key)
  ) WITHOUT ROWID;
  CREATE INDEX objects_by_owner ON objects (host, owner);

  -- Written (and committed) before the first mutating libvirt call of a change, deleted by the
  -- change's confirmation. A row left behind is resolved against the host on the next run.
  CREATE TABLE intents (
    id INTEGER PRIMARY KEY,
    host TEXT NOT NULL,
    key TEXT NOT NULL,
    owner TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    action TEXT NOT NULL,
    origin TEXT NOT NULL CHECK (origin IN ('created', 'adopted')),
    prune_disabled INTEGER NOT NULL,
    live_key TEXT,
    pid INTEGER NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX intents_by_key ON intents (host, key);

  -- At most one apply or daemon per host and state directory.
  CREATE TABLE locks (
    host TEXT PRIMARY KEY,
    pid INTEGER NOT NULL,
    process_start TEXT NOT NULL,
    machine TEXT NOT NULL,
    boot_id TEXT NOT NULL,
    command TEXT NOT NULL,
    owner TEXT NOT NULL,
    since TEXT NOT NULL
  );

  CREATE TABLE hosts (
    key TEXT PRIMARY KEY,
    hostname TEXT NOT NULL,
    uri TEXT NOT NULL,
    last_seen TEXT NOT NULL
  );

  -- inventory.json files of earlier versions already imported (each exactly once).
  CREATE TABLE imports (
    file TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    owner TEXT NOT NULL,
    records INTEGER NOT NULL,
    imported_at TEXT NOT NULL
  );
  `,
  `
  -- Objects the daemon found stalled (a change libvirt accepts but does not keep), so that
  -- plan and apply in another process can say so. A daemon starting afresh clears its owner's.
  CREATE TABLE stalls (
    host TEXT NOT NULL,
    key TEXT NOT NULL,
    owner TEXT NOT NULL,
    manifest_digest TEXT NOT NULL,
    message TEXT NOT NULL,
    since TEXT NOT NULL,
    retry_at TEXT NOT NULL,
    PRIMARY KEY (host, key)
  );
  `,
  `
  -- What a read-write connection learnt about a host that a read-only one cannot (whether its
  -- interface driver can define interfaces), for plans made read-only later.
  CREATE TABLE host_facts (
    host TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (host, name)
  );
  `,
  `
  -- Where each owner's manifests were read from when it last applied (apply, the daemon), and
  -- the last outcome of each object's change: \`virtkeeper status\` plans them against the host
  -- again and says which objects failed.
  CREATE TABLE sources (
    host TEXT NOT NULL,
    owner TEXT NOT NULL,
    dir TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (host, owner)
  );
  CREATE TABLE outcomes (
    host TEXT NOT NULL,
    key TEXT NOT NULL,
    outcome TEXT NOT NULL,
    message TEXT,
    at TEXT NOT NULL,
    PRIMARY KEY (host, key)
  );
  `,
  `
  -- Small facts virtkeeper keeps per host and object key, by book (JSON values; see
  -- keyed-book.ts): the files of the cloud-init seeds it wrote (book "seed", by volume key), so
  -- the next seed's plan shows what changed; the salted digests of the Secret values it set
  -- (book "secret-digest", by manifest key), so the next plan tells a changed value without
  -- anything keeping the value. Deleted with the object's record.
  CREATE TABLE keyed_facts (
    host TEXT NOT NULL,
    book TEXT NOT NULL,
    key TEXT NOT NULL,
    owner TEXT NOT NULL,
    value TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (host, book, key)
  );
  `,
];
