#!/usr/bin/env bash
# Installs what virtkeeper and its tests need on a fresh Debian 12 machine. Run as root.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
# libvirt-daemon brings libvirtd with the test and QEMU drivers; libvirt-clients brings virsh and
# virt-xml-validate (used to check every XML we generate); util-linux brings unshare (private daemons).
apt-get install -y --no-install-recommends libvirt-daemon libvirt-clients util-linux git ca-certificates
# A privileged libvirtd will not start without these accounts, which only libvirt-daemon-system creates.
getent group libvirt-qemu >/dev/null || groupadd -r libvirt-qemu
getent passwd libvirt-qemu >/dev/null || useradd -r -g libvirt-qemu -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu
