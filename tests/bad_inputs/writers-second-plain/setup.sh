# The sweep this command would collide with: running, stopped mid-way.
source "$CASES/_shared/stopped_sweep.sh"
