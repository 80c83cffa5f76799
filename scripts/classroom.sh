#!/usr/bin/env bash
# The classroom kit in one command: set up, build, run every case of
# scenarios/classroom/ (a star rep leaves for a competitor) several times, and
# draw one page comparing them.
#   scripts/classroom.sh [extra 'loyalsim run' options, e.g. --set market.substitutability=0.5]
# Environment: LOYALSIM_REPLICATES (default 20): runs per case (seeds 1..N).
# Writes results/classroom/summary.png and results/classroom/summary.txt (also
# printed), from the runs in results/classroom/runs/<case>_seed<N>.h5.
# docs/CLASSROOM.md explains the cases and the figure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

replicates="${LOYALSIM_REPLICATES:-20}"
if ! [[ "$replicates" =~ ^[1-9][0-9]*$ ]]; then
  echo "classroom.sh: LOYALSIM_REPLICATES must be a positive whole number, found '$replicates'" >&2
  exit 2
fi

loyalsim_install_packages
loyalsim_build "$LOYALSIM_ROOT/build"

cd "$LOYALSIM_ROOT"
exe="$LOYALSIM_ROOT/build/src/loyalsim"
out="results/classroom"
mkdir -p "$out/runs"
rm -f "$out"/runs/*.h5

cases=(complex_solution simple_product personal_service company_owns routed_through_rep small_vs_big)
files=()
start=$SECONDS
for case in "${cases[@]}"; do
  printf 'running %-20s x %s runs\n' "$case" "$replicates"
  for seed in $(seq 1 "$replicates"); do
    file="$out/runs/${case}_seed${seed}.h5"
    "$exe" run "scenarios/classroom/$case.toml" -o "$file" --seed "$seed" --events --force --quiet "$@" >/dev/null
    files+=("$file")
  done
done
echo "ran ${#cases[@]} cases x $replicates runs in $((SECONDS - start)) s"
echo

/usr/bin/python3 "$LOYALSIM_ROOT/scripts/plot_classroom.py" summary "${files[@]}" \
  -o "$out/summary.png" --table "$out/summary.txt"
