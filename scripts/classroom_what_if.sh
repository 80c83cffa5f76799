#!/usr/bin/env bash
# The classroom "what if" slider in one command: set up, build the program,
# run the sweep scenarios/classroom/what_if_substitutability.toml (11 values of
# market.substitutability x 10 replicates, with --events) and draw the follow
# rate of the star rep's customers against substitutability.
#   scripts/classroom_what_if.sh [-o DIR] [--slides] [loyalsim run options, e.g. --set segments.complex_solution.switching_cost=3]
# -o DIR (or $LOYALSIM_RESULTS): the results folder (default results/ in the
#   checkout); $LOYALSIM_BUILD_DIR: the build folder (default build/).
# Writes DIR/classroom_what_if/VARIANT/what_if_substitutability.h5, .png and
# .txt (the table, also printed), and with --slides the figure as a 16:9
# slide in slides/. VARIANT is "baseline" without options, else named after
# them (scripts/kit_paths.sh); the figure's title says what was changed. The
# options are checked first (loyalsim run --dry-run); results replace the same
# variant's earlier ones only when everything succeeded.
# docs/CLASSROOM.md explains the figure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
source "$LOYALSIM_ROOT/scripts/kit_paths.sh"
program="classroom_what_if.sh"

KIT_ALLOW_SEED=1 kit_parse_args "$program" "$@"
[ ${#KIT_POSITIONAL[@]} -eq 0 ] || kit_fail "$program" "unexpected argument '${KIT_POSITIONAL[0]}'"
scenario="$LOYALSIM_ROOT/scenarios/classroom/what_if_substitutability.toml"

loyalsim_install_packages
loyalsim_build_program "$LOYALSIM_BUILD"
exe="$LOYALSIM_BUILD/src/loyalsim"

check="$(mktemp -d)"
trap 'rm -rf "$check"' EXIT
if ! "$exe" run "$scenario" -o "$check/check.h5" --events --force --quiet --dry-run "${KIT_RUN_ARGS[@]}" \
     >/dev/null 2>"$check/error"; then
  kit_fail "$program" "$(sed 's/^loyalsim: error: //' "$check/error" | head -n 1) (nothing was run or written)"
fi

variant="$(kit_variant "${KIT_RUN_ARGS[@]}")"
final="$KIT_RESULTS/classroom_what_if/$variant"
stage="$(kit_staging "$program" "$final")"
trap 'rm -rf "$check" "$stage"' EXIT

"$exe" run "$scenario" -o "$stage/what_if_substitutability.h5" --events --force --quiet "${KIT_RUN_ARGS[@]}" >/dev/null
slides=()
[ "$KIT_SLIDES" = 0 ] || { mkdir -p "$stage/slides"; slides=(--slides "$stage/slides"); }
/usr/bin/python3 "$LOYALSIM_ROOT/scripts/plot_classroom.py" what-if "$stage/what_if_substitutability.h5" \
  -o "$stage/what_if_substitutability.png" "${slides[@]}" | tee "$stage/what_if_substitutability.txt" |
  sed "s#$stage#$final#g"
sed -i "s#$stage#$final#g" "$stage/what_if_substitutability.txt"
kit_publish "$stage" "$final"
trap 'rm -rf "$check"' EXIT
echo "results in $final"
