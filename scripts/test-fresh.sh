#!/usr/bin/env bash
# npm run test:fresh — proves the README's first command on a truly clean Debian 12: debootstraps a
# minimal bookworm root, gives it only what this kind of machine comes with (Node.js 20 with npm and
# Node's headers), clones this repository into it, and runs there, as a new user would:
#   bash scripts/setup-host.sh && bash scripts/check-host.sh && npm ci && virtkeeper doctor && demo.
# Everything runs in a private mount namespace (the root's /proc, /dev and /sys mounts vanish with
# it); only Debian's mirror (the one this machine's apt uses) and the npm registry are contacted.
# Takes several minutes (debootstrap plus the package installs), so it is not part of npm test.
# Run as root. KEEP_FRESH_ROOT=1 keeps the root directory for a look afterwards.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" -eq 0 ] || { echo "test-fresh: run as root (debootstrap and chroot need it)"; exit 1; }
command -v debootstrap >/dev/null || { echo "test-fresh: debootstrap missing — fix: apt-get install debootstrap"; exit 1; }

if [ "${1:-}" != "--inside" ]; then
  exec unshare --mount --propagation private bash "$0" --inside
fi

root=$(mktemp -d /var/tmp/vk-fresh-root-XXXXXX)
cleanup() {
  for m in proc sys dev/pts dev; do umount -l "$root/$m" 2>/dev/null || true; done
  if [ "${KEEP_FRESH_ROOT:-}" = 1 ]; then echo "test-fresh: root kept at $root"; else rm -rf "$root"; fi
}
trap cleanup EXIT

# The same mirror this machine's apt uses (deb822 sources first, then the classic list).
mirror=$(awk '$1 == "URIs:" { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || { echo "test-fresh: no Debian mirror found in /etc/apt"; exit 1; }

echo "== debootstrap bookworm (minbase) into $root"
start=$(date +%s)
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 \
  || { tail -20 "$root.debootstrap.log"; exit 1; }
rm -f "$root.debootstrap.log"
# Same sources as this machine (security and updates too); debootstrap wrote only the main suite.
if ls /etc/apt/sources.list.d/*.sources >/dev/null 2>&1; then
  rm -f "$root/etc/apt/sources.list"
  cp /etc/apt/sources.list.d/*.sources "$root/etc/apt/sources.list.d/"
  sed -i 's/^Types: deb deb-src$/Types: deb/' "$root"/etc/apt/sources.list.d/*.sources
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"
# This machine's own trust anchors (a workplace's TLS-inspecting proxy, say): the ca-certificates
# package that setup-host.sh installs folds /usr/local/share/ca-certificates into the bundle.
if [ -d /usr/local/share/ca-certificates ]; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp -a /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
fi

echo "== what this kind of machine comes with: Node.js $(node --version), npm, Node's headers"
node_bin=$(command -v node)
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
mkdir -p "$root/usr/lib/node_modules" "$root/usr/include"
cp "$node_bin" "$root/usr/bin/node"
cp -a "$npm_dir" "$root/usr/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/bin/npm"
[ -d /usr/include/node ] && cp -a /usr/include/node "$root/usr/include/node"
globalrc=$(npm config get globalconfig 2>/dev/null || true)
[ -f "$globalrc" ] && mkdir -p "$root$(dirname "$globalrc")" && cp "$globalrc" "$root$globalrc"
[ -f "$HOME/.npmrc" ] && cp "$HOME/.npmrc" "$root/root/.npmrc"

echo "== clone of this repository's HEAD"
git clone -q "$repo" "$root/work/virtkeeper"

mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"
mount --rbind /dev "$root/dev"

echo "== inside the fresh root: the README's first command"
chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb \
  bash -c 'set -euo pipefail
    cd /work/virtkeeper
    bash scripts/setup-host.sh >/tmp/setup.log 2>&1 || { tail -30 /tmp/setup.log; exit 1; }
    bash scripts/check-host.sh
    npm ci --no-audit --no-fund >/tmp/npm.log 2>&1 || { tail -30 /tmp/npm.log; exit 1; }
    node bin/virtkeeper.js doctor
    bash scripts/demo.sh'
echo "test-fresh: passed in $(( $(date +%s) - start )) s"
