#!/usr/bin/env bash
# Installs what loyalsim needs from Debian's packages (when missing) and
# builds it. Sourced by run.sh and test.sh; also usable on its own:
#   scripts/setup.sh [BUILD_DIR] [extra cmake arguments...]
set -euo pipefail

LOYALSIM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOYALSIM_PACKAGES=(
  build-essential cmake pkg-config
  libtbb-dev libhdf5-dev libboost-program-options-dev
  libgtest-dev libtomlplusplus-dev librandom123-dev zlib1g-dev libboost-dev time
  libnlopt-cxx-dev libeigen3-dev libdeflate-dev
  python3 python3-h5py python3-matplotlib python3-numpy
  python3-h5netcdf python3-xarray python3-pandas
)
# Only scripts/test.sh needs these; run.sh never installs them. Fuzzing
# (clang and libFuzzer):
LOYALSIM_FUZZ_PACKAGES=(clang-14 libclang-rt-14-dev)
# The README's R recipes, run as written with both HDF5 libraries for R:
LOYALSIM_R_PACKAGES=(r-base-core r-bioc-rhdf5 r-cran-hdf5r)
# Open MPI, for the MPI layer (LOYALSIM_WITH_MPI) and its tests under
# mpirun; installed before the build is configured, so the option is on:
LOYALSIM_MPI_PACKAGES=(openmpi-bin libopenmpi-dev)
# The classroom page's browser test (tests/web): emscripten builds the page
# (scripts/web.sh), Debian's chromium runs it, node drives it (puppeteer-core
# from npm, web/package-lock.json).
LOYALSIM_WEB_PACKAGES=(emscripten chromium nodejs)
# Only scripts/bench.sh needs Google Benchmark (bench/month_step_benchmark);
# without it the benchmarks are simply not built.
LOYALSIM_BENCH_PACKAGES=(libbenchmark-dev)

loyalsim_install_packages() {
  local missing=()
  for package in "${LOYALSIM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  echo "setup: missing Debian packages: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: not root; install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "setup: installed ${#missing[@]} packages"
}

# loyalsim_install_test_packages PACKAGE...: installs those missing (the
# optional packages above). Returns non-zero (never exits) when they cannot
# be installed, so the caller can skip what needs them, saying so.
loyalsim_install_test_packages() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: not root, cannot install ${missing[*]}" >&2
    return 1
  fi
  echo "setup: installing optional Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || return 1
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || return 1
}

# The build folder of the main job and the kit: $LOYALSIM_BUILD_DIR, else
# build/ in the checkout (another folder lets the kit run from a read-only
# checkout).
LOYALSIM_BUILD="${LOYALSIM_BUILD_DIR:-$LOYALSIM_ROOT/build}"
case "$LOYALSIM_BUILD" in
  /*) ;;
  *) LOYALSIM_BUILD="$PWD/$LOYALSIM_BUILD" ;;
esac

# loyalsim_build BUILD_DIR [cmake args...]: configures and builds every
# target (the program, the tests and, where found, the benchmarks); for
# scripts/test.sh.
loyalsim_build() {
  local build_dir="$1"
  shift
  cmake -S "$LOYALSIM_ROOT" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
  cmake --build "$build_dir" --parallel "$(nproc)"
}

# loyalsim_build_program [BUILD_DIR]: configures (leaving the folder's test
# and benchmark options as they are, so that test.sh can share it) and builds
# only the program, target loyalsim: the main job and the classroom kit need
# nothing else. BUILD_DIR defaults to $LOYALSIM_BUILD.
loyalsim_build_program() {
  local build_dir="${1:-$LOYALSIM_BUILD}"
  cmake -S "$LOYALSIM_ROOT" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build_dir" --parallel "$(nproc)" --target loyalsim
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  loyalsim_install_packages
  loyalsim_build "${1:-$LOYALSIM_ROOT/build}" "${@:2}"
fi
