#!/usr/bin/env bash
# Set up, build, and run the tests. CI (.ci/run) runs this with no option.
#   scripts/test.sh             all stages, in order:
#                                 1. Release build in build/, whole ctest suite
#                                 2. ASan+UBSan build in build-sanitize/, whole suite again
#                                 3. fuzzing: clang + libFuzzer build in build-fuzz/, replay
#                                    of tests/fuzz/regressions/, then a short fuzzing run
#                                    (skipped, with a message, where clang cannot be installed)
#   scripts/test.sh --quick     stage 1 only (for developers)
#   scripts/test.sh --sanitize  stage 2 only
#   scripts/test.sh --fuzz      stage 3 only
# LOYALSIM_FUZZ_SECONDS sets the length of the fuzzing run (default 60).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

stages=(release sanitize fuzz)
case "${1:-}" in
  "") ;;
  --quick) stages=(release) ;;
  --sanitize) stages=(sanitize) ;;
  --fuzz) stages=(fuzz) ;;
  *) echo "usage: scripts/test.sh [--quick | --sanitize | --fuzz]" >&2; exit 2 ;;
esac

fuzz_seconds="${LOYALSIM_FUZZ_SECONDS:-60}"
fuzz_dir="$LOYALSIM_ROOT/tests/fuzz"

run_suite() {  # run_suite BUILD_DIR [cmake args...]
  local build_dir="$1"
  shift
  loyalsim_build "$build_dir" "$@"
  (cd "$build_dir" && ctest --output-on-failure --parallel "$(nproc)" --timeout 600)
}

# clang and libFuzzer, installed if possible; a tiny fuzzer must link.
fuzzing_available() {
  if ! loyalsim_install_test_packages "${LOYALSIM_FUZZ_PACKAGES[@]}"; then
    echo "could not install ${LOYALSIM_FUZZ_PACKAGES[*]}"
    return 1
  fi
  local probe
  probe="$(mktemp -d)"
  printf '%s\n' '#include <cstddef>' '#include <cstdint>' \
    'extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) { return 0; }' >"$probe/probe.cpp"
  if ! clang++-14 -fsanitize=fuzzer,address,undefined "$probe/probe.cpp" -o "$probe/probe" >/dev/null 2>&1; then
    rm -rf "$probe"
    echo "clang++-14 cannot link a libFuzzer program"
    return 1
  fi
  rm -rf "$probe"
}

fuzz_stage() {
  local why
  if ! why="$(fuzzing_available 2>&1)"; then
    echo "skipping fuzzing: ${why##*$'\n'}"
    return 0
  fi
  [ -z "$why" ] || echo "$why"
  local build_dir="$LOYALSIM_ROOT/build-fuzz"
  CC=clang-14 CXX=clang++-14 cmake -S "$LOYALSIM_ROOT" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DLOYALSIM_FUZZ=ON -DLOYALSIM_BUILD_BENCHMARKS=OFF >/dev/null
  cmake --build "$build_dir" --parallel "$(nproc)" --target fuzz_scenario fuzz_replay

  # The kept crash inputs and the seed corpus, through the clang build.
  (cd "$build_dir" && ctest --output-on-failure --timeout 600 -R '^fuzz\.')

  # New inputs go to a scratch corpus, never into the source tree; a crash,
  # a hang (-timeout), or more than 2 GB of memory fails the stage and leaves
  # its input in build-fuzz/fuzz-artifacts/.
  local work="$build_dir/fuzz-corpus" artifacts="$build_dir/fuzz-artifacts"
  rm -rf "$work" "$artifacts"
  mkdir -p "$work" "$artifacts"
  echo "fuzzing for ${fuzz_seconds} s"
  if ! "$build_dir/tests/fuzz/fuzz_scenario" -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 \
      -malloc_limit_mb=2048 -dict="$fuzz_dir/toml.dict" -artifact_prefix="$artifacts/" -print_final_stats=1 \
      "$work" "$fuzz_dir/corpus" 2>"$build_dir/fuzz.log"; then
    tail -n 60 "$build_dir/fuzz.log"
    echo "test.sh: the fuzzer found a problem; its input is in $artifacts:" >&2
    ls -l "$artifacts" >&2
    echo "  reproduce: $build_dir/tests/fuzz/fuzz_scenario FILE  (keep it in tests/fuzz/regressions/)" >&2
    return 1
  fi
  grep -E '^(stat::|Done|#[0-9]+ *DONE)' "$build_dir/fuzz.log" || true
}

loyalsim_install_packages
# Before any build is configured, so that ctest registers the R tests.
if [[ " ${stages[*]} " != " fuzz " ]] && ! loyalsim_install_test_packages "${LOYALSIM_R_PACKAGES[@]}"; then
  echo "skipping the R recipe tests: could not install ${LOYALSIM_R_PACKAGES[*]}"
fi
# Open MPI too, before configuring: CMake turns LOYALSIM_WITH_MPI on when it
# finds MPI, and ctest registers the mpirun tests only then.
if [[ " ${stages[*]} " != " fuzz " ]] && ! loyalsim_install_test_packages "${LOYALSIM_MPI_PACKAGES[@]}"; then
  echo "skipping the MPI tests (mpirun): could not install ${LOYALSIM_MPI_PACKAGES[*]}"
fi
# The browser test's tools, and the page it loads, built before ctest so the
# test's own fixture (web.build_page) finds it up to date.
web_test_setup() {
  loyalsim_install_test_packages "${LOYALSIM_WEB_PACKAGES[@]}" || { echo "could not install ${LOYALSIM_WEB_PACKAGES[*]}"; return 1; }
  command -v npm >/dev/null || loyalsim_install_test_packages npm || { echo "could not install npm"; return 1; }
  local web="$LOYALSIM_ROOT/web"
  if [ ! -f "$web/node_modules/.package-lock.json" ] || [ "$web/package-lock.json" -nt "$web/node_modules/.package-lock.json" ]; then
    (cd "$web" && npm ci --no-audit --no-fund --loglevel=error) || { echo "npm ci in web/ failed"; return 1; }
  fi
  "$LOYALSIM_ROOT/scripts/web.sh" -o "$LOYALSIM_ROOT/results/web" || { echo "scripts/web.sh failed"; return 1; }
}
if [[ " ${stages[*]} " != " fuzz " ]]; then
  web_start=$SECONDS
  if web_why="$(web_test_setup 2>&1)"; then
    echo "test.sh: the classroom page is built ($((SECONDS - web_start)) s with its tools)"
  else
    echo "skipping the browser test of the classroom page: ${web_why##*$'\n'}"
  fi
fi
cpu_times="$(mktemp)"
trap 'rm -f "$cpu_times"' EXIT
for stage in "${stages[@]}"; do
  start=$SECONDS
  echo "== test.sh: stage $stage"
  case "$stage" in
    release) run_suite "$LOYALSIM_ROOT/build" ;;
    sanitize) run_suite "$LOYALSIM_ROOT/build-sanitize" -DLOYALSIM_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo ;;
    fuzz) fuzz_stage ;;
  esac
  # Wall time, and the CPU time of everything run so far: bash's `times`,
  # second line (children's user and system time), read in this shell, not
  # a subshell, whose counts would start from zero.
  times >"$cpu_times"
  echo "== test.sh: stage $stage took $((SECONDS - start)) s; CPU time (user system) of all stages so far: $(tail -n 1 "$cpu_times")"
done
