#!/usr/bin/env bash
# Performance benchmark of issue 5: measures each target on this machine and
# prints value, target and verdict; writes the same figures to
# results/bench.json.
#   scripts/bench.sh [--quick]     --quick skips the 10^8-customer run
#
# 1. throughput   scenarios/bench/throughput.toml (10^7 customers, 10^5 reps,
#                 5 firms, 3 segments, 120 months), 2 threads
# 2. roofline     a STREAM triad (build/bench/loyalsim_stream_triad) gives
#                 the bandwidth; the ceiling is bandwidth / bytes moved per
#                 customer-month (from the engine's report)
# 3. scale        10^8 customers x 120 months: wall time and peak memory
# 4. scaling      throughput with 2 threads over 1 thread
# 5. small runs   1,000 runs of 10^4 customers x 120 months (bench_sweep.sh)
#
# Everything runs on a -march=native build in build-native/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

quick=0
[ "${1:-}" = "--quick" ] && quick=1

loyalsim_install_packages
# The benchmarks need Google Benchmark, which the main job does not install.
if ! loyalsim_install_test_packages "${LOYALSIM_BENCH_PACKAGES[@]}"; then
  echo "bench.sh: Google Benchmark is missing; install it with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${LOYALSIM_BENCH_PACKAGES[*]}" >&2
  exit 1
fi
# A build tuned for this processor (results are bit-identical to the
# portable build: floating-point contraction is off, -ffp-contract=off).
loyalsim_build "$LOYALSIM_ROOT/build-native" -DLOYALSIM_NATIVE=ON -DLOYALSIM_BUILD_TESTS=OFF -DLOYALSIM_BUILD_BENCHMARKS=ON
exe="$LOYALSIM_ROOT/build-native/src/loyalsim"
triad="$LOYALSIM_ROOT/build-native/bench/loyalsim_stream_triad"
scenario="$LOYALSIM_ROOT/scenarios/bench/throughput.toml"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$LOYALSIM_ROOT/results"

# Runs loyalsim under GNU time; prints "throughput bytes_moved wall_s peak_kib".
measure() {
  local threads="$1"
  shift
  /usr/bin/time -v -o "$work/time.txt" "$exe" run "$scenario" -o "$work/out.h5" --force -q --threads "$threads" "$@" \
    > "$work/run.txt"
  local line rate moved wall peak
  line="$(grep '^throughput:' "$work/run.txt")"
  rate="$(echo "$line" | awk '{print $2}')"
  moved="$(echo "$line" | sed -E 's/.* ([0-9]+) bytes moved.*/\1/')"
  wall="$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$work/time.txt")"
  peak="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")"
  echo "$rate $moved $wall $peak"
}

echo "loyalsim benchmark on $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"

bandwidth="$("$triad" --threads 2 --mib 1536 --repeat 10 | awk '{print $2}')"
read -r rate2 moved wall2 peak2 < <(measure 2)
read -r rate1 _ wall1 _ < <(measure 1)
ceiling="$(awk -v bw="$bandwidth" -v b="$moved" 'BEGIN {printf "%.4g", bw * 1e9 / b}')"
fraction="$(awk -v r="$rate2" -v c="$ceiling" 'BEGIN {printf "%.3f", r / c}')"
speedup="$(awk -v a="$rate2" -v b="$rate1" 'BEGIN {printf "%.2f", a / b}')"

if [ "$quick" -eq 0 ]; then
  read -r rate_big _ wall_big peak_big < <(measure 2 --set market.customers=100000000)
else
  rate_big=null wall_big=null peak_big=null
fi

"$LOYALSIM_ROOT/scripts/bench_sweep.sh" --exe "$exe" > "$work/sweep.txt"
sweep_wall="$(grep -E '^ *1000 runs:' "$work/sweep.txt" | awk '{print $3}')"

verdict() { awk -v v="$1" -v t="$2" -v dir="$3" 'BEGIN { if (v == "null") print "not run"; else if ((dir == "min" && v >= t) || (dir == "max" && v <= t)) print "met"; else print "NOT MET" }'; }
peak_big_gb="$( [ "$peak_big" = null ] && echo null || awk -v k="$peak_big" 'BEGIN {printf "%.2f", k * 1024 / 1e9}')"

printf '\n%-44s %-16s %-14s %s\n' "target" "measured" "target" "verdict"
printf '%-44s %-16s %-14s %s\n' "1. throughput (customer-months/s, 2 threads)" "$rate2" ">= 2e8" "$(verdict "$rate2" 2e8 min)"
printf '%-44s %-16s %-14s %s\n' "2. bandwidth ceiling (customer-months/s)" "$ceiling" "" "triad ${bandwidth} GB/s / ${moved} B"
printf '%-44s %-16s %-14s %s\n' "   fraction of the ceiling" "$fraction" "" ""
printf '%-44s %-16s %-14s %s\n' "3. 10^8 customers x 120 months: wall (s)" "$wall_big" "<= 60" "$(verdict "$wall_big" 60 max)"
printf '%-44s %-16s %-14s %s\n' "   peak resident memory (GB)" "$peak_big_gb" "<= 2.4" "$(verdict "$peak_big_gb" 2.4 max)"
printf '%-44s %-16s %-14s %s\n' "4. speed-up, 2 threads over 1" "$speedup" ">= 1.8" "$(verdict "$speedup" 1.8 min)"
printf '%-44s %-16s %-14s %s\n' "5. 1,000 runs of 10^4 x 120 months (s)" "$sweep_wall" "<= 10" "$(verdict "$sweep_wall" 10 max)"

cat > "$LOYALSIM_ROOT/results/bench.json" <<JSON
{
  "machine": {"cores": $(nproc), "triad_bandwidth_gb_s": $bandwidth},
  "throughput": {"customer_months_per_s_2_threads": $rate2, "customer_months_per_s_1_thread": $rate1,
                 "wall_s_2_threads": $wall2, "peak_kib_2_threads": $peak2, "target": 2e8},
  "roofline": {"bytes_moved_per_customer_month": $moved, "ceiling_customer_months_per_s": $ceiling,
               "fraction_of_ceiling": $fraction},
  "scale_1e8": {"customer_months_per_s": $rate_big, "wall_s": $wall_big, "peak_gb": $peak_big_gb,
                "target_wall_s": 60, "target_peak_gb": 2.4},
  "thread_scaling": {"speedup_2_over_1": $speedup, "target": 1.8},
  "small_runs": {"wall_s_1000_runs": $sweep_wall, "target_s": 10}
}
JSON
echo "wrote results/bench.json"
