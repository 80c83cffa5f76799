#!/usr/bin/env bash
# The classroom "what if" slider in one command: set up, build, run the sweep
# scenarios/classroom/what_if_substitutability.toml (11 values of
# market.substitutability x 10 replicates, with --events) and draw the follow
# rate of the star rep's customers against substitutability.
#   scripts/classroom_what_if.sh [extra 'loyalsim run' options, e.g. --set segments.complex_solution.switching_cost=3]
# Writes results/classroom/what_if_substitutability.h5, .png and .txt (the
# table, also printed). docs/CLASSROOM.md explains the figure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

loyalsim_install_packages
loyalsim_build "$LOYALSIM_ROOT/build"

cd "$LOYALSIM_ROOT"
out="results/classroom"
mkdir -p "$out"
"$LOYALSIM_ROOT/build/src/loyalsim" run scenarios/classroom/what_if_substitutability.toml \
  -o "$out/what_if_substitutability.h5" --events --force --quiet "$@" >/dev/null
/usr/bin/python3 "$LOYALSIM_ROOT/scripts/plot_classroom.py" what-if "$out/what_if_substitutability.h5" \
  -o "$out/what_if_substitutability.png" | tee "$out/what_if_substitutability.txt"
