#!/usr/bin/env bash
# Makes the two base images the Dockerfiles build FROM, on a host that cannot pull from a container registry but has
# Debian's packages and the .NET SDK installed: a Debian bookworm root file system from debootstrap, with the host's
# .NET runtime (runtime image) or the whole SDK (SDK image) copied in, imported with `podman import`.
#
#   deploy/images/local-base-images.sh            # -> localhost/liveim/aspnet:10.0 and localhost/liveim/sdk:10.0
#
# Then build with --build-arg RUNTIME_IMAGE=localhost/liveim/aspnet:10.0 --build-arg SDK_IMAGE=localhost/liveim/sdk:10.0
# (docs/operations.md, "Container images"). With registry access use the official images instead (the defaults).
# Needs root (debootstrap), podman, and a Debian mirror (MIRROR, default http://deb.debian.org/debian).
set -euo pipefail

MIRROR=${MIRROR:-http://deb.debian.org/debian}
DOTNET_ROOT=${DOTNET_ROOT:-$(dirname "$(readlink -f "$(command -v dotnet)")")}
WORK=${WORK:-/var/tmp/liveim-base-images}
TAG=${TAG:-10.0}
# The official images' non-root user: uid/gid 1654, named app.
APP_UID=1654

[[ -x $DOTNET_ROOT/dotnet ]] || { echo "no dotnet in $DOTNET_ROOT (set DOTNET_ROOT)" >&2; exit 1; }
mkdir -p "$WORK"
if [[ ! -x $WORK/rootfs/bin/bash ]]; then
  # What the official runtime image carries, minus ICU (LiveIm runs with InvariantGlobalization).
  debootstrap --variant=minbase --include=ca-certificates,libssl3,libstdc++6,zlib1g,tzdata bookworm "$WORK/rootfs" "$MIRROR"
fi

make_image() { # name, dotnet parts to copy...
  local name=$1; shift
  local tree=$WORK/$name
  rm -rf "$tree" && mkdir -p "$tree/usr/share/dotnet" "$tree/usr/bin"
  cp -a "$WORK/rootfs/." "$tree/"
  for part in "$@"; do cp -a "$DOTNET_ROOT/$part" "$tree/usr/share/dotnet/"; done
  ln -sf /usr/share/dotnet/dotnet "$tree/usr/bin/dotnet"
  chroot "$tree" /bin/sh -c "getent group app >/dev/null || groupadd --gid $APP_UID app; id app >/dev/null 2>&1 || useradd --uid $APP_UID --gid $APP_UID --create-home app"
  # Host certificate authorities (a host whose package mirror sits behind its own CA needs them in the SDK stage).
  cp -a /etc/ssl/certs/. "$tree/etc/ssl/certs/"
  rm -rf "$tree/var/cache/apt/archives/"*.deb "$tree/var/lib/apt/lists/"*
  tar -C "$tree" -c . | podman import \
    --change "ENV APP_UID=$APP_UID" \
    --change 'ENV DOTNET_RUNNING_IN_CONTAINER=true' \
    --change 'ENV DOTNET_NOLOGO=1' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/bash"]' \
    - "localhost/liveim/$name:$TAG"
}

make_image aspnet dotnet host shared
make_image sdk dotnet host shared sdk sdk-manifests packs templates
podman images --filter reference='localhost/liveim/*'
