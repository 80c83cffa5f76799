#!/usr/bin/env bash
# One run split across ranks against the same run unsplit (issue 12, item
# 7; docs/SCALING.md, "A single run split across ranks"): the benchmark
# scenario (scenarios/bench/throughput.toml, 2,000,000 customers unless
# CUSTOMERS is set) as 1 process x 1 thread, 1 process x 2 threads, and
# 2 ranks x 1 thread with --split-customers. Then the split run's
# reductions (LOYALSIM_MPI_STATS): the time per month the ranks wait for the
# slowest one, and the time the reductions themselves take.
#
#   scripts/bench_split.sh [REPEATS]     (default 2; the best wall time of each counts)
#
# Uses build/src/loyalsim (built here if missing, with the MPI layer), or
# LOYALSIM_EXE. mpirun's options: LOYALSIM_MPIEXEC_FLAGS (default: Open MPI's
# --allow-run-as-root --oversubscribe --bind-to none). A shared machine makes
# every figure noisy, the reductions' above all (a rank descheduled for a
# time slice stalls every other): run it on an idle one for numbers to quote.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

repeats="${1:-2}"
customers="${CUSTOMERS:-2000000}"
exe="${LOYALSIM_EXE:-$LOYALSIM_ROOT/build/src/loyalsim}"
if [ -z "${LOYALSIM_EXE:-}" ]; then
  loyalsim_install_packages
  loyalsim_install_test_packages "${LOYALSIM_MPI_PACKAGES[@]}" || {
    echo "bench_split.sh: needs Open MPI: ${LOYALSIM_MPI_PACKAGES[*]}" >&2
    exit 1
  }
  cmake -S "$LOYALSIM_ROOT" -B "$LOYALSIM_ROOT/build" -DCMAKE_BUILD_TYPE=Release -DLOYALSIM_WITH_MPI=ON >/dev/null
  cmake --build "$LOYALSIM_ROOT/build" --parallel "$(nproc)" --target loyalsim
fi
read -r -a mpi_flags <<<"${LOYALSIM_MPIEXEC_FLAGS:---allow-run-as-root --oversubscribe --bind-to none}"
scenario="$LOYALSIM_ROOT/scenarios/bench/throughput.toml"
size=(--set "market.customers=$customers")
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

seconds() {  # seconds COMMAND...: wall time of one run, in seconds
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'
}
best() { printf '%s\n' "$@" | sort -g | head -n 1; }

echo "bench_split.sh: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start;" \
  "$customers customers x 120 months"
t11=() t12=() t21=()
for ((i = 0; i < repeats; i++)); do
  # Alternated, so a load that comes and goes hits all three alike.
  t11+=("$(seconds "$exe" run "$scenario" "${size[@]}" -o "$work/one.h5" --force -q --threads 1)")
  t12+=("$(seconds "$exe" run "$scenario" "${size[@]}" -o "$work/one.h5" --force -q --threads 2)")
  t21+=("$(seconds mpirun "${mpi_flags[@]}" -np 2 "$exe" run "$scenario" "${size[@]}" -o "$work/split.h5" --force -q \
    --threads 1 --split-customers)")
done
a=$(best "${t11[@]}") b=$(best "${t12[@]}") c=$(best "${t21[@]}")
printf '1 process x 1 thread:         %.2f s (runs: %s)\n' "$a" "${t11[*]}"
printf '1 process x 2 threads:        %.2f s (runs: %s)\n' "$b" "${t12[*]}"
printf '2 ranks x 1 thread, split:    %.2f s (runs: %s)\n' "$c" "${t21[*]}"
printf 'split / 2 threads: %.3f; split / 1 thread: %.3f (mpirun start-up included)\n' \
  "$(awk -v x="$b" -v y="$c" 'BEGIN { print y / x }')" "$(awk -v x="$a" -v y="$c" 'BEGIN { print y / x }')"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "the split run's reductions, LOYALSIM_MPI_STATS (barrier-separated: waiting = imbalance, reducing = the sums):"
LOYALSIM_MPI_STATS=1 mpirun "${mpi_flags[@]}" -x LOYALSIM_MPI_STATS -np 2 "$exe" run "$scenario" "${size[@]}" \
  -o "$work/split.h5" --force -q --threads 1 --split-customers 2>&1 >/dev/null | grep 'mpi stats' | sed 's/^/  /'
