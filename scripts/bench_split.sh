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
source "$LOYALSIM_ROOT/scripts/bench_mpi_common.sh"
bench_mpi_prepare "bench_split.sh"
scenario="$LOYALSIM_ROOT/scenarios/bench/throughput.toml"
size=(--set "market.customers=$customers")

echo "bench_split.sh: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start;" \
  "$customers customers x 120 months"
w11=() w12=() w21=() c11=() c12=() c21=()
for ((i = 0; i < repeats; i++)); do
  # Alternated, so a load that comes and goes hits all three alike.
  read -r wall cpu <<<"$(seconds "$exe" run "$scenario" "${size[@]}" -o "$work/one.h5" --force -q --threads 1)"
  w11+=("$wall") c11+=("$cpu")
  read -r wall cpu <<<"$(seconds "$exe" run "$scenario" "${size[@]}" -o "$work/one.h5" --force -q --threads 2)"
  w12+=("$wall") c12+=("$cpu")
  read -r wall cpu <<<"$(seconds mpirun "${mpi_flags[@]}" -np 2 "$exe" run "$scenario" "${size[@]}" -o "$work/split.h5" \
    --force -q --threads 1 --split-customers)"
  w21+=("$wall") c21+=("$cpu")
done
a=$(best "${w11[@]}") b=$(best "${w12[@]}") c=$(best "${w21[@]}")
x=$(best "${c11[@]}") y=$(best "${c12[@]}") z=$(best "${c21[@]}")
printf '1 process x 1 thread:       wall %.2f s (runs: %s), cpu %.2f s (runs: %s)\n' "$a" "${w11[*]}" "$x" "${c11[*]}"
printf '1 process x 2 threads:      wall %.2f s (runs: %s), cpu %.2f s (runs: %s)\n' "$b" "${w12[*]}" "$y" "${c12[*]}"
printf '2 ranks x 1 thread, split:  wall %.2f s (runs: %s), cpu %.2f s (runs: %s)\n' "$c" "${w21[*]}" "$z" "${c21[*]}"
echo "split / 1 process x 2 threads, best of each, mpirun start-up included: wall $(ratio "$b" "$c"), cpu $(ratio "$y" "$z")"
echo "split / 1 process x 1 thread: wall $(ratio "$a" "$c"), cpu $(ratio "$x" "$z")"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "the split run's reductions, LOYALSIM_MPI_STATS (barrier-separated: waiting = imbalance, reducing = the sums):"
LOYALSIM_MPI_STATS=1 mpirun "${mpi_flags[@]}" -x LOYALSIM_MPI_STATS -np 2 "$exe" run "$scenario" "${size[@]}" \
  -o "$work/split.h5" --force -q --threads 1 --split-customers 2>&1 >/dev/null | grep 'mpi stats' | sed 's/^/  /'
