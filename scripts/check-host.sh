#!/usr/bin/env bash
# Checks that every program virtkeeper and its tests spawn is installed (the list and each program's
# Debian package: scripts/host-programs.tsv). Prints one line per missing program with the package
# that brings it, and exits 1 when anything is missing. scripts/setup-host.sh installs them all.
set -uo pipefail
cd "$(dirname "$0")/.."
# sbin directories hold libvirtd, sshd and iptables but are not on every user's PATH.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
# VIRTKEEPER_HOST_PROGRAMS: another table (the tests check the failure path with one).
table=${VIRTKEEPER_HOST_PROGRAMS:-scripts/host-programs.tsv}
missing_pkgs=()
count=0
while IFS=$'\t' read -r program package needed_by; do
  [[ -z "$program" || "$program" == \#* ]] && continue
  count=$((count + 1))
  if ! command -v "$program" >/dev/null 2>&1; then
    if [[ "$package" == \(* ]]; then
      echo "missing: $program — needed by: $needed_by — fix: install $package (it is not a Debian package here)"
    else
      echo "missing: $program — needed by: $needed_by — fix: apt-get install $package"
    fi
    missing_pkgs+=("$package")
  fi
done < "$table"
if ! getent passwd libvirt-qemu >/dev/null || ! getent group libvirt-qemu >/dev/null; then
  echo "missing: the libvirt-qemu user or group — a root libvirtd refuses to start — fix: bash scripts/setup-host.sh"
  missing_pkgs+=("(accounts)")
fi
if [ "${#missing_pkgs[@]}" -gt 0 ]; then
  pkgs=$(printf '%s\n' "${missing_pkgs[@]}" | grep -v '^(' | sort -u | tr '\n' ' ')
  echo "check-host: ${#missing_pkgs[@]} missing; run: bash scripts/setup-host.sh${pkgs:+ (or apt-get install $pkgs)}"
  exit 1
fi
echo "check-host: all $count programs present"
