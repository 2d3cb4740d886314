#!/usr/bin/env bash
# Makes what the container smoke test (tests/packaging/test_container.py) needs: podman that
# can run containers here, and a local base image with Python 3.11, ATLAS_TEST_BASE_IMAGE
# (default localhost/atlas-base:bookworm), made with debootstrap from Debian's own mirror,
# as no container registry may be reachable. The image is cached by its tag: a second run
# takes a second. `make container-base` runs it; as root it installs podman, runc and
# debootstrap with apt-get; otherwise it stops and prints the command.
set -euo pipefail

IMAGE=${ATLAS_TEST_BASE_IMAGE:-localhost/atlas-base:bookworm}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
PACKAGES="podman runc debootstrap"
INSTALL="apt-get update && apt-get install -y $PACKAGES"
SANDBOX_CONF=/etc/containers/containers.conf.d/50-atlas-sandbox.conf

as_root() {
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "error: $1. Install it as root with:" >&2
    echo "  $INSTALL" >&2
    exit 1
  fi
}

if ! command -v podman >/dev/null || ! command -v debootstrap >/dev/null \
  || ! command -v runc >/dev/null; then
  as_root "the container test needs podman, runc and debootstrap"
  echo "installing $PACKAGES with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq $PACKAGES >/dev/null
fi

if ! podman image exists "$IMAGE"; then
  echo "making the base image $IMAGE with debootstrap (a few minutes, once)" >&2
  as_root "making the base image needs root (debootstrap)"
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
    bookworm "$root" "$MIRROR" >/dev/null
  tar -C "$root" -c . | podman import --quiet - "$IMAGE" >/dev/null
fi

# Some sandboxes (gVisor-like kernels, hybrid cgroups, no CAP_SYS_RESOURCE) refuse podman's
# defaults: crun rejects hybrid cgroups and neither runtime may raise the open-file and
# process limits. runc with the limits this shell already has works there.
if ! podman run --rm "$IMAGE" true 2>/dev/null; then
  as_root "podman cannot run containers here"
  mkdir -p "$(dirname "$SANDBOX_CONF")"
  cat >"$SANDBOX_CONF" <<CONF
# Written by Atlas's tests/packaging/container-base.sh: this machine's podman could not run a
# container with its defaults (crun and raised rlimits).
[containers]
default_ulimits = ["nofile=$(ulimit -n):$(ulimit -Hn)", "nproc=32768:32768"]
[engine]
runtime = "runc"
CONF
  echo "podman could not run containers with its defaults; wrote $SANDBOX_CONF" >&2
  podman run --rm "$IMAGE" true
fi
echo "$IMAGE is ready" >&2
