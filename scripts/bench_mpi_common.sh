#!/usr/bin/env bash
# What scripts/bench_mpi.sh and scripts/bench_split.sh share, sourced by
# both after setup.sh: the engine they time and mpirun's options, a scratch
# folder, and the timing helpers.
#   bench_mpi_prepare SCRIPT_NAME   sets $exe ($LOYALSIM_EXE, else an MPI
#                                   build of loyalsim in build/), the array
#                                   mpi_flags and the scratch folder $work
#   seconds COMMAND...              "wall cpu" of one run, in seconds
#   best VALUE...                   the smallest
#   ratio A B                       B / A, three decimals

bench_mpi_prepare() {
  local script="$1"
  exe="${LOYALSIM_EXE:-$LOYALSIM_ROOT/build/src/loyalsim}"
  if [ -z "${LOYALSIM_EXE:-}" ]; then
    loyalsim_install_packages
    loyalsim_install_test_packages "${LOYALSIM_MPI_PACKAGES[@]}" || {
      echo "$script: needs Open MPI: ${LOYALSIM_MPI_PACKAGES[*]}" >&2
      exit 1
    }
    cmake -S "$LOYALSIM_ROOT" -B "$LOYALSIM_ROOT/build" -DCMAKE_BUILD_TYPE=Release -DLOYALSIM_WITH_MPI=ON >/dev/null
    cmake --build "$LOYALSIM_ROOT/build" --parallel "$(nproc)" --target loyalsim
  fi
  read -r -a mpi_flags <<<"${LOYALSIM_MPIEXEC_FLAGS:---allow-run-as-root --oversubscribe --bind-to none}"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
}

# cpu is user + system time of the command and its children (mpirun's ranks
# included), which a shared machine disturbs less than the wall time. A
# rank waiting in a reduction spins (Open MPI polls), so its waits count as
# cpu too.
seconds() {
  /usr/bin/time -f '%e %U %S' -o "$work/time" "$@" >/dev/null
  awk '{ printf "%.3f %.3f", $1, $2 + $3 }' "$work/time"
}
best() { printf '%s\n' "$@" | sort -g | head -n 1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b / a }'; }
