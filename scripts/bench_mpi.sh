#!/usr/bin/env bash
# MPI overhead of a sweep (issue 12, item 7): the same sweep as one process
# with 2 threads and as 2 ranks with 1 thread each (mpirun), on this
# machine; the target is at most 10% more wall time for the ranks. Then
# the writer's load (rank 0) from LOYALSIM_MPI_STATS, for docs/SCALING.md.
#
#   scripts/bench_mpi.sh [REPEATS]     (default 3; the best wall time of each counts)
#
# Uses build/src/loyalsim (built here if missing, with the MPI layer), or
# LOYALSIM_EXE. mpirun's options: LOYALSIM_MPIEXEC_FLAGS (default: Open MPI's
# --allow-run-as-root --oversubscribe --bind-to none). A shared machine makes
# every figure noisy: run it on an idle one for numbers to quote.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

repeats="${1:-3}"
source "$LOYALSIM_ROOT/scripts/bench_mpi_common.sh"
bench_mpi_prepare "bench_mpi.sh"
scenario="$LOYALSIM_ROOT/scenarios/bench/sweep_mpi.toml"

echo "bench_mpi.sh: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
one=() ranks=() one_cpu=() ranks_cpu=()
for ((i = 0; i < repeats; i++)); do
  # Alternated, so a load that comes and goes hits both alike.
  read -r wall cpu <<<"$(seconds "$exe" run "$scenario" -o "$work/one.h5" --force -q --threads 2)"
  one+=("$wall") one_cpu+=("$cpu")
  read -r wall cpu <<<"$(seconds mpirun "${mpi_flags[@]}" -np 2 "$exe" run "$scenario" -o "$work/ranks.h5" --force -q \
    --threads 1)"
  ranks+=("$wall") ranks_cpu+=("$cpu")
done
t1=$(best "${one[@]}") t2=$(best "${ranks[@]}")
c1=$(best "${one_cpu[@]}") c2=$(best "${ranks_cpu[@]}")
printf '1 process x 2 threads: wall %.2f s (runs: %s), cpu %.2f s (runs: %s)\n' "$t1" "${one[*]}" "$c1" "${one_cpu[*]}"
printf '2 ranks x 1 thread:    wall %.2f s (runs: %s), cpu %.2f s (runs: %s)\n' "$t2" "${ranks[*]}" "$c2" "${ranks_cpu[*]}"
echo "ratio (2 ranks / 1 process), best of each, mpirun start-up included (target <= 1.10):"
echo "  wall $(ratio "$t1" "$t2"), cpu $(ratio "$c1" "$c2")"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

# The writer's load by run size: small runs (the writer's worst case) of
# 2x2 and 5x3 firm x segment cells over 120 months; rank 1 computes, rank 0
# records. The stats line gives bytes per run and the writer's ms per run.
echo
echo "writer (rank 0) load, LOYALSIM_MPI_STATS:"
for shape in "2 0.5 0.5" "5 0.3 0.3 0.4"; do
  read -r firms shares <<<"$shape"
  read -r -a shares <<<"$shares"
  segments=${#shares[@]}
  {
    printf 'seed = 1\n[market]\ncustomers = 2000\nmonths = 120\nburn_in_months = 0\n'
    for ((f = 0; f < firms; f++)); do printf '[[firms]]\nname = "F%d"\nreps = 10\n' "$f"; done
    for ((s = 0; s < segments; s++)); do printf '[[segments]]\nname = "S%d"\nshare = %s\n' "$s" "${shares[s]}"; done
    printf '[sweep]\ndesign = "grid"\nreplicates = 100\n[sweep.parameters]\n"market.substitutability" = [0.3, 0.7]\n'
  } >"$work/writer.toml"
  echo "  $firms firms x $segments segments x 120 months, 200 runs of 2,000 customers:"
  LOYALSIM_MPI_STATS=1 mpirun "${mpi_flags[@]}" -x LOYALSIM_MPI_STATS -np 2 "$exe" run "$work/writer.toml" \
    -o "$work/writer.h5" --force -q --threads 1 2>&1 >/dev/null | grep 'mpi stats' | sed 's/^/    /'
done
