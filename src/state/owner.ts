// The owner of a source: the name its records carry, so that prune deletes only what this
// source made. By default a stable id of the manifests directory:
//   - in a git checkout with an `origin` remote: the remote URL (credentials stripped), plus
//     `//<path inside the repo>` when the directory is below the top, e.g.
//     `https://git.example.com/infra/hosts.git//kvm01`;
//   - else: the directory's path — for a symlink (git-sync swaps one to a new worktree on every
//     revision) the link's own path, else the real path.
// .git is read directly (no git process): a directory, or a file `gitdir: …` (worktrees,
// submodules) whose `commondir` leads to the shared config.
import { lstat, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

/** The default owner of the manifests at `dir`. */
export async function sourceOwner(dir: string): Promise<string> {
  const absolute = path.resolve(dir);
  const real = await realpath(absolute);
  const git = await findGitTop(real);
  if (git) {
    const url = await originUrl(git.gitDir);
    if (url !== undefined) {
      const sub = path.relative(git.top, real).split(path.sep).join('/');
      return sub === '' ? url : `${url}//${sub}`;
    }
  }
  const link = await lstat(absolute);
  if (link.isSymbolicLink()) return path.join(await realpath(path.dirname(absolute)), path.basename(absolute));
  return real;
}

async function findGitTop(start: string): Promise<{ top: string; gitDir: string } | undefined> {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const dotGit = path.join(dir, '.git');
    const info = await stat(dotGit).catch(() => undefined);
    if (info?.isDirectory()) return { top: dir, gitDir: dotGit };
    if (info?.isFile()) {
      const m = /^gitdir:\s*(.+?)\s*$/m.exec(await readFile(dotGit, 'utf8'));
      if (m) return { top: dir, gitDir: path.resolve(dir, m[1]!) };
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

async function originUrl(gitDir: string): Promise<string | undefined> {
  const common = await readFile(path.join(gitDir, 'commondir'), 'utf8').then(
    (text) => path.resolve(gitDir, text.trim()),
    () => gitDir,
  );
  const config = await readFile(path.join(common, 'config'), 'utf8').catch(() => undefined);
  if (config === undefined) return undefined;
  const url = remoteUrl(config, 'origin');
  return url === undefined ? undefined : withoutCredentials(url);
}

/** The `url` of `[remote "NAME"]` in a git config file. */
export function remoteUrl(config: string, remote: string): string | undefined {
  let inSection = false;
  for (const raw of config.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) {
      const m = /^\[\s*remote\s+"([^"]*)"\s*\]/.exec(line);
      inSection = m !== null && m[1] === remote;
      continue;
    }
    if (!inSection) continue;
    const m = /^url\s*=\s*(.*)$/i.exec(line);
    if (m) return m[1]!.replace(/^"(.*)"$/, '$1').trim();
  }
  return undefined;
}

/** Removes a password from an URL's userinfo (a token in https://user:token@host/…); scp-like `git@host:repo` stays. */
export function withoutCredentials(url: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return url;
  try {
    const parsed = new URL(url);
    if (parsed.password === '' && parsed.username === '') return url;
    parsed.password = '';
    // A bare user in an https URL is usually the token itself (https://TOKEN@github.com/…).
    if (/^https?:$/.test(parsed.protocol)) parsed.username = '';
    return parsed.toString();
  } catch {
    return url;
  }
}
