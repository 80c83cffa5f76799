#!/usr/bin/env bash
# Performance benchmark (issues 5 and 14): measures each target on this
# machine and prints value, target and verdict; writes the same figures to
# results/bench.json. Every target is a ratio of figures measured in this
# one run, so it does not depend on how fast the machine is.
#   scripts/bench.sh [--quick] [--baseline PATH/TO/loyalsim]
#     --quick      skips the 10^8-customer run
#     --baseline   an engine built before a change (e.g. from main): the
#                  small-runs target compares the two in this run
#
# 1. throughput   scenarios/bench/throughput.toml (10^7 customers, 10^5 reps,
#                 5 firms, 3 segments, 120 months), 2 threads
# 2. roofline     a STREAM triad (build/bench/loyalsim_stream_triad) gives
#                 the bandwidth; the ceiling is bandwidth / bytes moved per
#                 customer-month (the engine's report); target: the step at
#                 >= 40% of that ceiling on 2 threads
# 3. scale        10^8 customers x 120 months: wall time <= 2.5x the time the
#                 triad needs to stream the step's traffic (bytes moved per
#                 customer-month x 10^8 x 120), and peak resident memory
#                 <= 24 bytes per customer
# 4. scaling      throughput with 2 threads >= 1.85x that with 1
# 5. small runs   1,000 runs of 10^4 customers x 120 months (bench_sweep.sh)
#                 in <= 1/3 of the baseline engine's time, measured here
#
# Under the roofline and small-runs rows it also reports the same runs with
# every event switched off (no acquisitions, churn or rep departures;
# everyone attached): what is left is the loyalty pass over every customer,
# the bound that the rare-event path's cost lowers (docs/PERFORMANCE.md,
# "The bound without events").
#
# Everything runs on a -march=native build in build-native/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

quick=0
baseline=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; shift ;;
    --baseline) baseline="${2:?--baseline needs a path}"; shift 2 ;;
    *) echo "bench.sh: unknown argument '$1' (usage: scripts/bench.sh [--quick] [--baseline EXE])" >&2; exit 2 ;;
  esac
done
if [ -n "$baseline" ] && [ ! -x "$baseline" ]; then
  echo "bench.sh: --baseline $baseline: not an executable" >&2
  exit 2
fi

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

# The --set options that switch off every event of a scenario without
# scripted departures: every firm's rep turnover, every segment's churn,
# acquisitions, and every customer attached from the start.
without_events=(--set 'firms.*.rep_turnover_annual=0' --set 'segments.*.churn_annual=0'
                --set market.acquisition_rate=0 --set market.initial_attached_share=1)
read -r rate_alone _ _ _ < <(measure 2 "${without_events[@]}")
fraction_alone="$(awk -v r="$rate_alone" -v c="$ceiling" 'BEGIN {printf "%.3f", r / c}')"

sweep_time() { "$LOYALSIM_ROOT/scripts/bench_sweep.sh" --exe "$1" > "$work/sweep.txt" && grep -E '^ *1000 runs:' "$work/sweep.txt" | awk '{print $3}'; }
if [ -n "$baseline" ]; then
  sweep_base="$(sweep_time "$baseline")"
else
  sweep_base=null
fi
sweep_wall="$(sweep_time "$exe")"
sweep_scenario="$LOYALSIM_ROOT/scenarios/bench/sweep_small_runs.toml"
/usr/bin/time -f %e -o "$work/sweep_alone.txt" "$exe" run "$sweep_scenario" -o "$work/sweep_alone.h5" --force -q \
  "${without_events[@]}" > /dev/null
sweep_alone="$(tail -n 1 "$work/sweep_alone.txt")"

verdict() { awk -v v="$1" -v t="$2" -v dir="$3" 'BEGIN { if (v == "null") print "not run"; else if ((dir == "min" && v >= t) || (dir == "max" && v <= t)) print "met"; else print "NOT MET" }'; }
or_null() { awk -v a="$1" -v b="${2:-1}" -v fmt="$3" 'BEGIN { if (a == "null" || b == "null") print "null"; else printf fmt, a / b }'; }
# The triad's time to stream the 10^8-customer run's traffic, 120 months.
stream_big="$(awk -v bw="$bandwidth" -v b="$moved" 'BEGIN {printf "%.1f", 1e8 * 120 * b / (bw * 1e9)}')"
wall_ratio="$(or_null "$wall_big" "$stream_big" "%.2f")"
peak_per_customer="$( [ "$peak_big" = null ] && echo null || awk -v k="$peak_big" 'BEGIN {printf "%.2f", k * 1024 / 1e8}')"
sweep_ratio="$(or_null "$sweep_wall" "$sweep_base" "%.3f")"
sweep_alone_ratio="$(or_null "$sweep_alone" "$sweep_base" "%.3f")"

row() { printf '%-50s %-12s %-10s %s\n' "$@"; }
echo
row "target" "measured" "target" "verdict"
row "1. fraction of the bandwidth ceiling, 2 threads" "$fraction" ">= 0.40" "$(verdict "$fraction" 0.40 min)"
row "   throughput (customer-months/s, 2 threads)" "$rate2" "" "1 thread: $rate1"
row "   ceiling (customer-months/s)" "$ceiling" "" "triad ${bandwidth} GB/s / ${moved} B"
row "   without events (the pass alone): fraction" "$fraction_alone" "" "throughput: $rate_alone"
row "2. speed-up, 2 threads over 1" "$speedup" ">= 1.85" "$(verdict "$speedup" 1.85 min)"
row "3. 10^8 x 120 months: wall / triad streaming time" "$wall_ratio" "<= 2.5" "$(verdict "$wall_ratio" 2.5 max)"
row "   wall (s) / triad streaming time (s)" "$wall_big" "" "$stream_big"
row "   peak resident memory (bytes/customer)" "$peak_per_customer" "<= 24" "$(verdict "$peak_per_customer" 24 max)"
row "4. 1,000 runs of 10^4: time / baseline's time" "$sweep_ratio" "<= 0.333" "$(verdict "$sweep_ratio" 0.3334 max)"
row "   wall (s) / baseline's wall (s)" "$sweep_wall" "" "$sweep_base"
row "   without events: time / baseline's time" "$sweep_alone_ratio" "" "wall: $sweep_alone s"

cat > "$LOYALSIM_ROOT/results/bench.json" <<JSON
{
  "machine": {"cores": $(nproc), "triad_bandwidth_gb_s": $bandwidth, "load_average": "$(cut -d' ' -f1-3 /proc/loadavg)"},
  "throughput": {"customer_months_per_s_2_threads": $rate2, "customer_months_per_s_1_thread": $rate1,
                 "wall_s_2_threads": $wall2, "wall_s_1_thread": $wall1, "peak_kib_2_threads": $peak2},
  "roofline": {"bytes_moved_per_customer_month": $moved, "ceiling_customer_months_per_s": $ceiling,
               "fraction_of_ceiling": $fraction, "target": 0.40,
               "without_events": {"customer_months_per_s_2_threads": $rate_alone, "fraction_of_ceiling": $fraction_alone}},
  "thread_scaling": {"speedup_2_over_1": $speedup, "target": 1.85},
  "scale_1e8": {"customer_months_per_s": $rate_big, "wall_s": $wall_big, "triad_stream_s": $stream_big,
                "wall_over_stream": $wall_ratio, "target_wall_over_stream": 2.5,
                "peak_bytes_per_customer": $peak_per_customer, "target_peak_bytes_per_customer": 24},
  "small_runs": {"wall_s_1000_runs": $sweep_wall, "baseline_wall_s_1000_runs": $sweep_base,
                 "ratio": $sweep_ratio, "target_ratio": 0.333,
                 "without_events": {"wall_s_1000_runs": $sweep_alone, "ratio": $sweep_alone_ratio}}
}
JSON
echo "wrote results/bench.json"
