#!/usr/bin/env bash
# The main job: set up, build the program (only it: no tests, no benchmarks),
# run a scenario (the classroom one by default) and draw its figure.
#   scripts/run.sh [-o DIR] [SCENARIO.toml] [extra 'loyalsim run' options...]
# -o DIR (or $LOYALSIM_RESULTS): the results folder (default results/ in the
#   checkout); $LOYALSIM_BUILD_DIR: the build folder (default build/).
# Writes DIR/<scenario name>.h5 and DIR/<scenario name>.png; the options are
# checked first (loyalsim run --dry-run), and an earlier result of the same
# name is replaced only when the new run and figure succeeded.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
source "$LOYALSIM_ROOT/scripts/kit_paths.sh"
program="run.sh"

KIT_ALLOW_SEED=1 kit_parse_args "$program" "$@"
[ ${#KIT_POSITIONAL[@]} -le 1 ] || kit_fail "$program" "one scenario at most, found '${KIT_POSITIONAL[*]}'"
scenario="${KIT_POSITIONAL[0]:-$LOYALSIM_ROOT/scenarios/classroom.toml}"
[ -f "$scenario" ] || kit_fail "$program" "no scenario file '$scenario'"
name="$(basename "${scenario%.toml}")"

loyalsim_install_packages
loyalsim_build_program "$LOYALSIM_BUILD"
exe="$LOYALSIM_BUILD/src/loyalsim"

check="$(mktemp -d)"
trap 'rm -rf "$check"' EXIT
if ! "$exe" run "$scenario" -o "$check/$name.h5" --force --dry-run "${KIT_RUN_ARGS[@]}" >/dev/null 2>"$check/error"; then
  kit_fail "$program" "$(sed 's/^loyalsim: error: //' "$check/error" | head -n 1) (nothing was run or written)"
fi

stage="$(kit_staging "$program" "$KIT_RESULTS/$name")"
trap 'rm -rf "$check" "$stage"' EXIT
"$exe" run "$scenario" -o "$stage/$name.h5" --force "${KIT_RUN_ARGS[@]}"
/usr/bin/python3 "$LOYALSIM_ROOT/scripts/plot_retention.py" "$stage/$name.h5" -o "$stage/$name.png" >/dev/null
mv -f "$stage/$name.h5" "$KIT_RESULTS/$name.h5"
mv -f "$stage/$name.png" "$KIT_RESULTS/$name.png"
echo "wrote $KIT_RESULTS/$name.h5 and $KIT_RESULTS/$name.png"
