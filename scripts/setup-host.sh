#!/usr/bin/env bash
# Installs every program virtkeeper and its tests run on a fresh Debian 12 machine. Run as root.
# The list of programs the code spawns, and the package each comes from, lives in
# scripts/host-programs.tsv; scripts/check-host.sh checks it and a test checks that it covers every
# spawn in src/ and test/, so a new spawn without its package fails CI instead of a user's machine.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
# A fresh machine often runs apt at boot (unattended upgrades): wait for its lock, do not fail.
apt_opts=(-o DPkg::Lock::Timeout=300 -o Acquire::Retries=3)

# Libvirt's own XML test corpus comes from Debian's source package (the round-trip tests fetch it
# with `apt-get source --download-only`), which needs a deb-src line next to the deb one.
if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    sed -i 's/^Types: deb$/Types: deb deb-src/' /etc/apt/sources.list.d/debian.sources
  elif [ -f /etc/apt/sources.list ]; then
    sed -n 's/^deb /deb-src /p' /etc/apt/sources.list >/etc/apt/sources.list.d/virtkeeper-src.list
  fi
fi

apt-get "${apt_opts[@]}" update
# Packages: every one named in scripts/host-programs.tsv, plus those that bring no program we spawn
# but that a program needs at run time (SASL mechanisms, the kernel image we unpack for the guest
# is fetched with apt-get download at test time, not installed).
# A package in parentheses, "(Node.js)", comes with the machine and is not installed from Debian.
mapfile -t packages < <(awk -F'\t' '!/^#/ && NF >= 2 && $2 !~ /^\(/ { print $2 }' scripts/host-programs.tsv | sort -u)
packages+=(
  ca-certificates      # npm and git over https
  libsasl2-modules     # SCRAM, DIGEST-MD5 and PLAIN for libvirtd's SASL
  python3-libvirt      # the peer in npm run bench:peers
  make g++             # npm ci builds better-sqlite3 from source where no prebuilt binary can be fetched
)
apt-get "${apt_opts[@]}" install -y --no-install-recommends "${packages[@]}"

# A privileged libvirtd will not start without these accounts, which only libvirt-daemon-system creates.
getent group libvirt-qemu >/dev/null || groupadd -r libvirt-qemu
getent passwd libvirt-qemu >/dev/null || useradd -r -g libvirt-qemu -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu
# sshd refuses to start without its privilege-separation directory.
mkdir -p /run/sshd
