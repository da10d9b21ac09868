#!/usr/bin/env bash
# Fetches the libvirt source the protocol layer is generated from (pinned: Debian 12's libvirt
# 9.0.0-4+deb12u2) with apt-get source, checks the upstream tarball's SHA-256, and unpacks only
# the files scripts/gen-libvirt-protocol.ts reads, plus libvirt's own XML test corpus folders
# that test/integration/corpus/roundtrip.test.ts round-trips, into a cache directory:
#   ${LIBVIRT_SOURCE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/virtkeeper/libvirt-9.0.0}
# Needs a deb-src line for bookworm (scripts/setup-host.sh adds one). Idempotent: a cache made
# before the corpus was added gets only the corpus folders unpacked.
set -euo pipefail
version=9.0.0
debian_version=9.0.0-4+deb12u2
sha256=deca5cff1b7baac297bca9663907c61f71a47183371dc7ac019c107806d5435a
dest=${LIBVIRT_SOURCE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/virtkeeper/libvirt-$version}
protocol_files=(
  src/remote/remote_protocol.x
  src/remote/qemu_protocol.x
  src/remote/lxc_protocol.x
  src/rpc/virnetprotocol.x
  src/rpc/virkeepaliveprotocol.x
  include/libvirt
)
corpus_dirs=(
  tests/genericxml2xmlindata
  tests/networkxml2xmlin
  tests/storagepoolxml2xmlin
  tests/storagevolxml2xmlin
  tests/interfaceschemadata
)
wanted=()
if [ ! -f "$dest/src/remote/remote_protocol.x" ]; then wanted+=("${protocol_files[@]}"); fi
for d in "${corpus_dirs[@]}"; do
  if [ ! -d "$dest/$d" ]; then wanted+=("$d"); fi
done
if [ ${#wanted[@]} -eq 0 ]; then
  echo "libvirt $version source and corpus already in $dest"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get source --download-only "libvirt=$debian_version" >/dev/null
tarball=libvirt_$version.orig.tar.xz
echo "$sha256  $tarball" | sha256sum -c --quiet -
mkdir -p "$dest"
tar -xJf "$tarball" --strip-components=1 -C "$dest" "${wanted[@]/#/libvirt-$version/}"
echo "libvirt $version: unpacked ${wanted[*]} in $dest"
