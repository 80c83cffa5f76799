#!/usr/bin/env bash
# Set up, build, and run the whole test suite through ctest.
#   scripts/test.sh            Release build in build/
#   scripts/test.sh --sanitize AddressSanitizer + UndefinedBehaviorSanitizer build in build-sanitize/
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

build_dir="$LOYALSIM_ROOT/build"
cmake_args=()
if [ "${1:-}" = "--sanitize" ]; then
  build_dir="$LOYALSIM_ROOT/build-sanitize"
  cmake_args=(-DLOYALSIM_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo)
fi

loyalsim_install_packages
loyalsim_build "$build_dir" "${cmake_args[@]}"
cd "$build_dir"
ctest --output-on-failure --parallel "$(nproc)" --timeout 600
