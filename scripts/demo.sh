#!/usr/bin/env bash
# The main job on the embedded default host: validate, plan and converge a manifests directory on a
# private libvirtd serving libvirt's test driver, then plan again to show that nothing is left to do.
# Usage: scripts/demo.sh [DIR]   (DIR defaults to examples/sandbox, a host the test driver can satisfy)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${VIRTKEEPER_CONNECT:-}" ]; then
  # No host given: run this same script inside a sandbox, which sets VIRTKEEPER_CONNECT.
  exec node bin/virtkeeper.js sandbox -- bash scripts/demo.sh "$@"
fi
DIR=${1:-examples/sandbox}
vk() { node bin/virtkeeper.js "$@"; }

echo "== validate $DIR"
vk validate "$DIR"
echo "== plan (read-only) against $VIRTKEEPER_CONNECT"
status=0; vk plan "$DIR" --connect "$VIRTKEEPER_CONNECT" --detailed-exitcode || status=$?
[ "$status" -eq 0 ] || [ "$status" -eq 2 ]
echo "== apply"
# The plan was just shown: the demo runs unattended even at a terminal, where apply would ask.
vk apply "$DIR" --connect "$VIRTKEEPER_CONNECT" --auto-approve
echo "== plan again: expect no changes (exit 0)"
vk plan "$DIR" --connect "$VIRTKEEPER_CONNECT" --detailed-exitcode
