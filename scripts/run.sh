#!/usr/bin/env bash
# The main job: set up, build, run a scenario (the classroom one by default)
# and draw its figure.
#   scripts/run.sh [SCENARIO.toml] [extra 'loyalsim run' options...]
# Writes results/<scenario name>.h5 and results/<scenario name>.png.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

scenario="${1:-$LOYALSIM_ROOT/scenarios/classroom.toml}"
shift || true
name="$(basename "${scenario%.toml}")"

loyalsim_install_packages
loyalsim_build "$LOYALSIM_ROOT/build"

cd "$LOYALSIM_ROOT"
"$LOYALSIM_ROOT/build/src/loyalsim" run "$scenario" -o "results/$name.h5" --force "$@"
/usr/bin/python3 "$LOYALSIM_ROOT/scripts/plot_retention.py" "results/$name.h5" -o "results/$name.png"
echo "wrote results/$name.h5 and results/$name.png"
