#!/usr/bin/env bash
# Builds the classroom page (docs/CLASSROOM.md; SPEC section 9): the model
# core as WebAssembly (Debian's emscripten) and the static page around it.
#   scripts/web.sh [-o OUT_DIR]     default OUT_DIR: results/web
# Open OUT_DIR/index.html in a browser (file:// works), or copy OUT_DIR to
# any static host: it is four plain files and needs no server.
# The WebAssembly objects are kept in build-web/ (LOYALSIM_WEB_BUILD names
# another folder), apart from the native build; a second run rebuilds only
# what changed. Installs emscripten when missing (as root; otherwise it says
# what to install).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/results/web"
while [ $# -gt 0 ]; do
  case "$1" in
    -o) [ $# -ge 2 ] || { echo "web.sh: error: -o needs a folder" >&2; exit 2; }; out="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "web.sh: error: unknown argument '$1' (usage: scripts/web.sh [-o OUT_DIR])" >&2; exit 2 ;;
  esac
done
build="${LOYALSIM_WEB_BUILD:-$root/build-web}"

# What the build needs from Debian: emscripten (with its clang, lld,
# binaryen and node), cmake, and the headers of toml++ and Random123.
packages=(emscripten cmake libtomlplusplus-dev librandom123-dev)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "web.sh: error: missing Debian packages; install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  echo "web.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Debian 12's emscripten runs its JavaScript tools with Debian's node
# modules (acorn and others in /usr/share/nodejs).
export NODE_PATH="/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}"
# Its cache (the compiled C and C++ libraries) is in /usr/share/emscripten/cache,
# filled on first use: a user who cannot write there gets a cache of its own.
if [ ! -w /usr/share/emscripten/cache ] && [ -z "${EM_CACHE:-}" ]; then
  export EM_CACHE="$build/emscripten-cache"
fi

if [ ! -f "$build/CMakeCache.txt" ]; then
  emcmake cmake -S "$root/web" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" --parallel "$(nproc)"
node "$root/web/tools/build_page.mjs" "$build/loyalsim_engine.js" "$root/scenarios/classroom" "$out"
echo "web.sh: open $out/index.html in a browser, or copy $out/ to any static web host"
