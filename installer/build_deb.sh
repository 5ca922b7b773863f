#!/usr/bin/env bash
# Build a Debian package from the PyInstaller bundle in dist/storedesk.
#   installer/build_deb.sh 0.1.0
# Installs to /opt/storedesk, links /usr/bin/storedesk, and ships an example machine config
# at /etc/storedesk/storedesk.toml.example (IT writes the real one, e.g. with provisioning).
set -euo pipefail
version="${1:?version}"
root="$(cd "$(dirname "$0")/.." && pwd)"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
[ -d "$root/dist/storedesk" ] || { echo "build the bundle first: pyinstaller installer/storedesk.spec" >&2; exit 1; }
mkdir -p "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" "$stage/etc/storedesk"
cp -a "$root/dist/storedesk" "$stage/opt/storedesk"
ln -s /opt/storedesk/storedesk "$stage/usr/bin/storedesk"
cp "$root/installer/storedesk.toml.example" "$stage/etc/storedesk/storedesk.toml.example"
cat > "$stage/DEBIAN/control" <<CONTROL
Package: storedesk
Version: $version
Architecture: amd64
Maintainer: StoreDesk team
Depends: libegl1, libxkbcommon0, libfontconfig1
Description: StoreDesk counter application for mobile operator stores
CONTROL
dpkg-deb --build --root-owner-group "$stage" "$root/dist/storedesk_${version}_amd64.deb"
