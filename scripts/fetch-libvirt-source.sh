#!/usr/bin/env bash
# Fetches the libvirt source the protocol layer is generated from (pinned: Debian 12's libvirt
# 9.0.0-4+deb12u2) with apt-get source, checks the upstream tarball's SHA-256, and unpacks only
# the files scripts/gen-libvirt-protocol.ts reads into a cache directory:
#   ${LIBVIRT_SOURCE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/virtkeeper/libvirt-9.0.0}
# Needs a deb-src line for bookworm (scripts/setup-host.sh adds one).
set -euo pipefail
version=9.0.0
debian_version=9.0.0-4+deb12u2
sha256=deca5cff1b7baac297bca9663907c61f71a47183371dc7ac019c107806d5435a
dest=${LIBVIRT_SOURCE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/virtkeeper/libvirt-$version}
if [ -f "$dest/src/remote/remote_protocol.x" ]; then
  echo "libvirt $version source already in $dest"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get source --download-only "libvirt=$debian_version" >/dev/null
tarball=libvirt_$version.orig.tar.xz
echo "$sha256  $tarball" | sha256sum -c --quiet -
mkdir -p "$dest"
tar -xJf "$tarball" --strip-components=1 -C "$dest" \
  "libvirt-$version/src/remote/remote_protocol.x" \
  "libvirt-$version/src/remote/qemu_protocol.x" \
  "libvirt-$version/src/remote/lxc_protocol.x" \
  "libvirt-$version/src/rpc/virnetprotocol.x" \
  "libvirt-$version/src/rpc/virkeepaliveprotocol.x" \
  "libvirt-$version/include/libvirt"
echo "libvirt $version source unpacked in $dest"
