#!/usr/bin/env bash
# Sweep throughput and memory: many small runs.
#   scripts/bench_sweep.sh [--threads N] [--exe PATH/TO/loyalsim]
#
# Runs scenarios/bench/sweep_small_runs.toml (10,000 customers x 120 months
# per run) twice: as a sweep of 100 runs (a copy with replicates = 10) and of
# 1,000 runs (the file as is), each under /usr/bin/time -v. Prints, for each,
# the wall time, runs per second, the engine's own throughput line and the
# peak memory (maximum resident set size), then the ratio of the two peaks:
# a sweep streams its runs to the file, so it must be about 1. Writes the
# figures to results/bench_sweep.json.
#
# Needs GNU time (/usr/bin/time, Debian package `time`): installed when
# missing and running as root, otherwise the apt-get command is printed.
# Uses build/src/loyalsim (or --exe, or $LOYALSIM_EXE); builds it with
# scripts/setup.sh if it is missing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads=0
exe="${LOYALSIM_EXE:-$root/build/src/loyalsim}"
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads="${2:?--threads needs a number}"; shift 2 ;;
    --exe) exe="${2:?--exe needs a path}"; shift 2 ;;
    -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench_sweep.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$threads" in ''|*[!0-9]*) echo "bench_sweep.sh: --threads must be a whole number" >&2; exit 2 ;; esac

# GNU time: its -v report is where the peak memory comes from.
if ! /usr/bin/time -v true >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "bench_sweep.sh: installing GNU time (apt-get install time)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends time >/dev/null
  else
    echo "bench_sweep.sh: GNU time (/usr/bin/time) is missing; install it with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y time" >&2
    exit 1
  fi
fi

if [ ! -x "$exe" ]; then
  echo "bench_sweep.sh: $exe not found; building"
  # shellcheck source-path=SCRIPTDIR source=setup.sh
  source "$root/scripts/setup.sh"
  loyalsim_install_packages
  loyalsim_build "$root/build"
  exe="$root/build/src/loyalsim"
fi

scenario="$root/scenarios/bench/sweep_small_runs.toml"
work="$(mktemp -d "${TMPDIR:-/tmp}/loyalsim_bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# The 100-run variant: the same file with replicates = 10 (--set cannot
# change the sweep). Same name, so both write the same layout.
mkdir -p "$work/runs100" "$work/runs1000"
sed 's/^replicates = 100$/replicates = 10/' "$scenario" >"$work/runs100/sweep_small_runs.toml"
cp "$scenario" "$work/runs1000/sweep_small_runs.toml"
grep -q '^replicates = 10$' "$work/runs100/sweep_small_runs.toml" ||
  { echo "bench_sweep.sh: $scenario: expected a line 'replicates = 100'" >&2; exit 1; }

cpu="$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //' || true)"
cores="$(nproc)"
echo "loyalsim sweep benchmark: $($exe --version 2>/dev/null | head -1)"
echo "  machine: ${cpu:-unknown CPU}, $cores cores; threads: $([ "$threads" -eq 0 ] && echo "all ($cores)" || echo "$threads")"
echo "  scenario: scenarios/bench/sweep_small_runs.toml (10,000 customers x 120 months per run)"
echo

# bench RUNS: runs the variant of RUNS runs; sets wall[RUNS], rss[RUNS] (KiB),
# rate[RUNS] (runs/s), engine[RUNS] (the engine's throughput line), size[RUNS] (bytes).
declare -A wall rss rate engine size
bench() {
  local runs="$1" dir="$work/runs$1"
  local out="$dir/sweep_small_runs.h5" log="$dir/time.log" stdout="$dir/stdout.log"
  if ! /usr/bin/time -v -o "$log" "$exe" run "$dir/sweep_small_runs.toml" -o "$out" --threads "$threads" \
      --quiet >"$stdout" 2>&1; then
    echo "bench_sweep.sh: the $runs-run sweep failed:" >&2
    cat "$stdout" >&2
    exit 1
  fi
  local done_runs
  done_runs="$(grep -o '[0-9]* runs)' "$stdout" | head -1 | tr -dc '0-9')"
  if [ "$done_runs" != "$runs" ]; then
    echo "bench_sweep.sh: expected $runs runs, the engine reports '${done_runs:-?}'" >&2
    exit 1
  fi
  # "Elapsed (wall clock) time (h:mm:ss or m:ss): 0:41.23"
  wall[$runs]="$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$log" |
    awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')"
  rss[$runs]="$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log")"
  rate[$runs]="$(awk -v r="$runs" -v s="${wall[$runs]}" 'BEGIN { printf "%.1f", r / s }')"
  engine[$runs]="$(grep '^throughput:' "$stdout" || echo 'throughput: (not reported)')"
  size[$runs]="$(stat -c %s "$out")"
  printf '%5d runs: %7.2f s wall, %7s runs/s, peak memory %7.1f MiB, output %6.1f MiB\n' "$runs" "${wall[$runs]}" \
    "${rate[$runs]}" "$(awk -v k="${rss[$runs]}" 'BEGIN { print k / 1024 }')" \
    "$(awk -v b="${size[$runs]}" 'BEGIN { print b / 1048576 }')"
  echo "            engine: ${engine[$runs]}"
}

bench 100
bench 1000
ratio="$(awk -v a="${rss[1000]}" -v b="${rss[100]}" 'BEGIN { printf "%.3f", a / b }')"
echo
echo "peak memory: ${rss[100]} KiB at 100 runs, ${rss[1000]} KiB at 1,000 runs; ratio (1,000 / 100) = $ratio"
verdict="ok"
if awk -v r="$ratio" 'BEGIN { exit !(r > 1.25 || r < 0.8) }'; then
  verdict="MEMORY GROWS WITH THE NUMBER OF RUNS"
  echo "bench_sweep.sh: warning: the peak memory ratio $ratio is far from 1: $verdict" >&2
fi

mkdir -p "$root/results"
json="$root/results/bench_sweep.json"
engine_json() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'; }
cat >"$json" <<EOF
{
  "benchmark": "scripts/bench_sweep.sh",
  "scenario": "scenarios/bench/sweep_small_runs.toml",
  "customers_per_run": 10000,
  "months_per_run": 120,
  "software_version": "$(engine_json "$($exe --version 2>/dev/null | head -1)")",
  "machine": "$(engine_json "${cpu:-unknown}")",
  "cores": $cores,
  "threads": "$([ "$threads" -eq 0 ] && echo "all ($cores)" || echo "$threads")",
  "runs_100": {
    "runs": 100,
    "wall_seconds": ${wall[100]},
    "runs_per_second": ${rate[100]},
    "peak_rss_kib": ${rss[100]},
    "output_bytes": ${size[100]},
    "engine_throughput": "$(engine_json "${engine[100]}")"
  },
  "runs_1000": {
    "runs": 1000,
    "wall_seconds": ${wall[1000]},
    "runs_per_second": ${rate[1000]},
    "peak_rss_kib": ${rss[1000]},
    "output_bytes": ${size[1000]},
    "engine_throughput": "$(engine_json "${engine[1000]}")"
  },
  "peak_rss_ratio_1000_over_100": $ratio,
  "verdict": "$verdict",
  "measured_utc": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}
EOF
echo "wrote results/bench_sweep.json"
