#!/usr/bin/env bash
# The classroom kit in one command: set up, build the program, run every case
# of scenarios/classroom/ (a star rep leaves) several times, and draw one page
# comparing them.
#   scripts/classroom.sh [-o DIR] [--slides] [loyalsim run options, e.g. --set market.substitutability=0.5]
# -o DIR (or $LOYALSIM_RESULTS): the results folder (default results/ in the
#   checkout); $LOYALSIM_BUILD_DIR: the build folder (default build/).
# --slides: also draw each panel as its own 16:9 slide.
# Environment: LOYALSIM_REPLICATES (default 20): runs per case (seeds 1..N).
# Writes DIR/classroom/VARIANT/: summary.png and summary.txt (also printed),
# the runs in runs/<case>_seed<N>.h5 and, with --slides, slides/*.png.
# VARIANT is "baseline" without options, else named after them (scripts/kit_paths.sh),
# e.g. DIR/classroom/set-market.substitutability=0.5/. Every option is checked
# on every case (loyalsim run --dry-run) before anything runs; results are
# written to a staging folder and replace the same variant's earlier results
# only when everything succeeded.
# docs/CLASSROOM.md explains the cases and the figure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
source "$LOYALSIM_ROOT/scripts/kit_paths.sh"
program="classroom.sh"

kit_parse_args "$program" "$@"
[ ${#KIT_POSITIONAL[@]} -eq 0 ] || kit_fail "$program" "unexpected argument '${KIT_POSITIONAL[0]}' (the cases are every scenario of scenarios/classroom/; see the comment at the top of the script)"
replicates="${LOYALSIM_REPLICATES:-20}"
if ! [[ "$replicates" =~ ^[1-9][0-9]{0,3}$ ]]; then
  kit_fail "$program" "LOYALSIM_REPLICATES must be a whole number from 1 to 9999, found '$replicates'"
fi

# The cases: every scenario of scenarios/classroom/ with a scripted departure
# and no [sweep] (the sweep is classroom_what_if.sh's), in the figure's order.
cases=(complex_solution simple_product personal_service company_owns routed_through_rep small_vs_big
       rep_retires pay_that_keeps_reps responsibility_not_ownership)
for case in "${cases[@]}"; do
  [ -f "$LOYALSIM_ROOT/scenarios/classroom/$case.toml" ] || kit_fail "$program" "scenarios/classroom/$case.toml is missing"
done

loyalsim_install_packages
loyalsim_build_program "$LOYALSIM_BUILD"
exe="$LOYALSIM_BUILD/src/loyalsim"

# Check every option on every case before anything is written.
check="$(mktemp -d)"
trap 'rm -rf "$check"' EXIT
for case in "${cases[@]}"; do
  if ! "$exe" run "$LOYALSIM_ROOT/scenarios/classroom/$case.toml" -o "$check/check.h5" --seed 1 --events --force \
       --quiet --dry-run "${KIT_RUN_ARGS[@]}" >/dev/null 2>"$check/error"; then
    kit_fail "$program" "case $case: $(sed 's/^loyalsim: error: //' "$check/error" | head -n 1) (nothing was run or written)"
  fi
done

variant="$(kit_variant "${KIT_RUN_ARGS[@]}")"
final="$KIT_RESULTS/classroom/$variant"
stage="$(kit_staging "$program" "$final")"
trap 'rm -rf "$check" "$stage"' EXIT
mkdir -p "$stage/runs"

files=()
start=$SECONDS
for case in "${cases[@]}"; do
  printf 'running %-28s x %s runs\n' "$case" "$replicates"
  for seed in $(seq 1 "$replicates"); do
    file="$stage/runs/${case}_seed${seed}.h5"
    "$exe" run "$LOYALSIM_ROOT/scenarios/classroom/$case.toml" -o "$file" --seed "$seed" --events --force --quiet \
      "${KIT_RUN_ARGS[@]}" >/dev/null
    files+=("$file")
  done
done
echo "ran ${#cases[@]} cases x $replicates runs in $((SECONDS - start)) s"
echo

slides=()
[ "$KIT_SLIDES" = 0 ] || { mkdir -p "$stage/slides"; slides=(--slides "$stage/slides"); }
/usr/bin/python3 "$LOYALSIM_ROOT/scripts/plot_classroom.py" summary "${files[@]}" \
  -o "$stage/summary.png" --table "$stage/summary.txt" "${slides[@]}" |
  sed "s#$stage#$final#g"
kit_publish "$stage" "$final"
trap 'rm -rf "$check"' EXIT
echo "results in $final"
