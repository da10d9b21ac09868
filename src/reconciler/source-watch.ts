/**
 * Watches the manifests directory for the daemon and reports "the source changed" once per
 * burst, with the directory's current real path and git revision.
 *
 * git-sync publishes a revision by swapping a symlink (`ln -s new tmp && mv -T tmp link`).
 * inotify watches follow the old target, so chokidar on the link never sees the swap. Hence
 * two watches: the directory holding the symlink (a rename onto the link entry shows up
 * there), after which the link is re-resolved; and chokidar on the resolved target for plain
 * edits, moved to the new target whenever the link changes.
 */
import { watch as fsWatch, type FSWatcher as FsWatcher } from 'node:fs';
import { lstat, readFile, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { watch as chokidarWatch, type FSWatcher as ChokidarWatcher } from 'chokidar';

export interface SourceChange {
  /** Commit of the manifests, or null when it cannot be told. */
  revision: string | null;
  /** Real path of the manifests directory (symlinks resolved). */
  root: string;
}

export interface SourceWatchOptions {
  /** The manifests directory as configured: may be, or lie under, a git-sync symlink. */
  path: string;
  onChange: (change: SourceChange) => void | Promise<void>;
  /** Quiet time after the last event before onChange runs. Default 300 ms. */
  debounceMs?: number;
  /** Longest a continuous stream of events can postpone onChange. Default 5 s. */
  maxWaitMs?: number;
  /** Watch failures and onChange rejections; default ignores them. */
  onError?: (err: unknown) => void;
}

export interface SourceWatcher {
  /** Real path currently watched. */
  readonly root: string;
  close(): Promise<void>;
}

export interface ResolvedSource {
  root: string;
  revision: string | null;
  /** The deepest symlink on the configured path (the git-sync link), if any. */
  link: string | null;
}

const HASH = /^[0-9a-f]{7,64}$/i;
// git-sync v4 names worktrees after the commit; some versions prefix `rev-`.
const WORKTREE_NAME = /^(?:rev-)?([0-9a-f]{7,64})$/i;

/** Resolves the configured path now: for the first load and for every change. */
export async function resolveSource(path: string): Promise<ResolvedSource> {
  const abs = resolve(path);
  const link = await findDeepestSymlink(abs);
  const root = await realpath(abs);
  const linkTarget = link === null ? null : await realpath(link);
  let revision = await readGitRevision(root, linkTarget ?? undefined);
  if (revision === null && linkTarget !== null) {
    const m = WORKTREE_NAME.exec(basename(linkTarget));
    if (m) revision = m[1]!.toLowerCase();
  }
  return { root, revision, link };
}

async function findDeepestSymlink(abs: string): Promise<string | null> {
  for (let p = abs; ; p = dirname(p)) {
    try {
      if ((await lstat(p)).isSymbolicLink()) return p;
    } catch {
      // A missing component: realpath will report it to the caller.
    }
    if (dirname(p) === p) return null;
  }
}

/**
 * Reads the commit checked out at `dir` or the nearest ancestor holding `.git`, looking no
 * higher than `stopAt` (the worktree root), so an unrelated enclosing repository is not used.
 */
export async function readGitRevision(dir: string, stopAt?: string): Promise<string | null> {
  for (let p = dir; ; p = dirname(p)) {
    if (stopAt !== undefined && !isInside(p, stopAt)) return null;
    const dotGit = join(p, '.git');
    const st = await lstat(dotGit).catch(() => null);
    if (st?.isDirectory()) return readHead(dotGit);
    if (st?.isFile()) {
      const m = /^gitdir:\s*(.+?)\s*$/m.exec(await readFile(dotGit, 'utf8'));
      return m ? readHead(resolve(p, m[1]!)) : null;
    }
    if (p === stopAt || dirname(p) === p) return null;
  }
}

function isInside(p: string, dir: string): boolean {
  const rel = relative(dir, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

async function readHead(gitDir: string): Promise<string | null> {
  const head = (await readText(join(gitDir, 'HEAD')))?.trim();
  if (!head) return null;
  if (HASH.test(head)) return head.toLowerCase();
  const ref = /^ref:\s*(\S+)$/.exec(head)?.[1];
  if (!ref) return null;
  // Linked worktrees keep HEAD in their own gitdir and shared refs in the common dir.
  const common = (await readText(join(gitDir, 'commondir')))?.trim();
  const dirs = common ? [gitDir, resolve(gitDir, common)] : [gitDir];
  for (const d of dirs) {
    const loose = (await readText(join(d, ref)))?.trim();
    if (loose && HASH.test(loose)) return loose.toLowerCase();
  }
  for (const d of dirs) {
    const packed = await readText(join(d, 'packed-refs'));
    for (const line of packed?.split('\n') ?? []) {
      const [hash, name] = line.trim().split(/\s+/);
      if (name === ref && hash && HASH.test(hash)) return hash.toLowerCase();
    }
  }
  return null;
}

async function readText(file: string): Promise<string | null> {
  return readFile(file, 'utf8').catch(() => null);
}

/** True for paths with a segment starting with `.` below root: `.git`, editor swap files. */
function isHiddenBelow(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel !== '' && rel.split(sep).some((seg) => seg.startsWith('.') && seg !== '..');
}

export async function watchSource(opts: SourceWatchOptions): Promise<SourceWatcher> {
  const debounceMs = opts.debounceMs ?? 300;
  const maxWaitMs = opts.maxWaitMs ?? 5000;
  const reportError = (err: unknown): void => opts.onError?.(err);

  const initial = await resolveSource(opts.path);
  let root = initial.root;
  let tree: ChokidarWatcher | null = null;
  let parent: FsWatcher | null = null;
  let closed = false;

  let timer: NodeJS.Timeout | null = null;
  let burstStart = 0;
  let firing: Promise<void> | null = null;
  let fireAgain = false;

  function schedule(): void {
    if (closed) return;
    const now = Date.now();
    if (timer === null) burstStart = now;
    else clearTimeout(timer);
    const wait = Math.max(0, Math.min(debounceMs, burstStart + maxWaitMs - now));
    timer = setTimeout(() => {
      timer = null;
      fire();
    }, wait);
  }

  // One onChange at a time: a change during a slow onChange leads to exactly one more call.
  function fire(): void {
    if (firing) fireAgain = true;
    else firing = runOnChange();
  }

  async function runOnChange(): Promise<void> {
    do {
      fireAgain = false;
      try {
        const { root: current, revision } = await resolveSource(opts.path);
        if (!closed) await opts.onChange({ revision, root: current });
      } catch (err) {
        reportError(err);
      }
    } while (fireAgain && !closed);
    firing = null;
  }

  async function watchTree(dir: string): Promise<ChokidarWatcher> {
    const w = chokidarWatch(dir, {
      ignoreInitial: true,
      // chokidar's own atomic-save handling delays unlink events by 100 ms, which can split one
      // burst into two onChange calls; the debounce here already absorbs unlink+add pairs.
      atomic: false,
      ignored: (p: string) => isHiddenBelow(dir, p),
    });
    w.on('all', schedule);
    w.on('error', reportError);
    await new Promise<void>((res) => w.once('ready', () => res()));
    return w;
  }

  // Retargets run one after another so two quick swaps cannot leave two tree watchers.
  let retargeting: Promise<void> = Promise.resolve();
  function recheckLink(): void {
    retargeting = retargeting
      .then(async () => {
        if (closed) return;
        let next: string;
        try {
          next = await realpath(resolve(opts.path));
        } catch {
          return; // Mid-update or removed: the next event on the parent tells us more.
        }
        if (next === root || closed) return;
        const old = tree;
        root = next;
        tree = await watchTree(next);
        if (closed) {
          await tree.close();
          return;
        }
        await old?.close();
        schedule();
      })
      .catch(reportError);
  }

  tree = await watchTree(root);
  if (initial.link !== null) {
    const linkName = basename(initial.link);
    parent = fsWatch(dirname(initial.link), { persistent: true }, (_event, filename) => {
      if (filename === null || filename.toString() === linkName) recheckLink();
    });
    parent.on('error', reportError);
  }

  return {
    get root() {
      return root;
    },
    async close() {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      parent?.close();
      await retargeting;
      await tree?.close();
      await firing;
    },
  };
}
