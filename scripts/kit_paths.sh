# shellcheck shell=bash disable=SC2034  # the KIT_ variables are read by the scripts that source this file
# Where the kit's scripts (run.sh, classroom.sh, classroom_what_if.sh) write,
# and how they write it safely. Sourced after setup.sh; defines functions only.
#
#   results root   -o DIR (or --results DIR) on the script's command line, else
#                  $LOYALSIM_RESULTS, else results/ in the checkout. Nothing is
#                  ever written into the checkout when one of the first two is
#                  given, so the kit runs from a read-only checkout.
#   build folder   $LOYALSIM_BUILD_DIR, else build/ in the checkout (setup.sh).
#   variant        the folder named after the loyalsim options given to the
#                  script: "baseline" without any, else a slug of them (e.g.
#                  "set-market.substitutability=0.5"), so that a variant never
#                  replaces the baseline or another variant.
#   publishing     every output is written into a staging folder beside its
#                  final place and moved there only when everything succeeded:
#                  a failure leaves earlier results as they were.

# Python must not write __pycache__/ into the checkout (scripts/ may be read-only).
export PYTHONDONTWRITEBYTECODE=1

# kit_fail PROGRAM MESSAGE: the one-line error of the project's scripts, exit status 2.
kit_fail() {
  echo "$1: error: $2" >&2
  exit 2
}

# kit_parse_args PROGRAM ARGS...: splits the script's own options from the
# options for 'loyalsim run'. Sets KIT_RESULTS (the results root, absolute),
# KIT_SLIDES (0/1), KIT_RUN_ARGS (array: the options for loyalsim) and
# KIT_POSITIONAL (array: anything that is not an option, e.g. run.sh's
# scenario). Refuses the loyalsim options the kit sets itself (--seed too,
# unless KIT_ALLOW_SEED=1).
kit_parse_args() {
  local program="$1"
  shift
  KIT_RESULTS="${LOYALSIM_RESULTS:-}"
  KIT_SLIDES=0
  KIT_RUN_ARGS=()
  KIT_POSITIONAL=()
  while [ $# -gt 0 ]; do
    case "$1" in
      -o | --results)
        if [ $# -lt 2 ] || [ -z "$2" ]; then kit_fail "$program" "$1 needs a folder (where the results go)"; fi
        KIT_RESULTS="$2"
        shift 2
        ;;
      --results=*)
        KIT_RESULTS="${1#--results=}"
        [ -n "$KIT_RESULTS" ] || kit_fail "$program" "--results needs a folder"
        shift
        ;;
      --slides)
        KIT_SLIDES=1
        shift
        ;;
      --seed | --seed=*)
        [ "${KIT_ALLOW_SEED:-0}" = 1 ] ||
          kit_fail "$program" "'$1' is set by the script itself (seeds 1..LOYALSIM_REPLICATES); give only options such as --set PATH=VALUE (and -o DIR for the results folder)"
        KIT_RUN_ARGS+=("$1")
        if [ "$1" = --seed ]; then
          [ $# -ge 2 ] || kit_fail "$program" "--seed needs a value"
          KIT_RUN_ARGS+=("$2")
          shift
        fi
        shift
        ;;
      --output | --output=* | --dry-run | --resume | --only-run | --only-run=*)
        kit_fail "$program" "'$1' is set by the script itself; give only options such as --set PATH=VALUE (and -o DIR for the results folder)"
        ;;
      --set | --threads)  # loyalsim options with a value: keep the pair together
        [ $# -ge 2 ] || kit_fail "$program" "$1 needs a value"
        KIT_RUN_ARGS+=("$1" "$2")
        shift 2
        ;;
      -*)
        KIT_RUN_ARGS+=("$1")
        shift
        ;;
      *)
        KIT_POSITIONAL+=("$1")
        shift
        ;;
    esac
  done
  KIT_RESULTS="${KIT_RESULTS:-$LOYALSIM_ROOT/results}"
  case "$KIT_RESULTS" in
    /*) ;;
    *) KIT_RESULTS="$PWD/$KIT_RESULTS" ;;
  esac
}

# kit_variant ARGS...: the folder name of a variant: "baseline" without
# options; else the options joined by "_", "--set " dropped to "set-", every
# character outside [A-Za-z0-9._=+-] made "-", and cut to 80 characters with
# a hash of the whole when longer (two variants never share a folder).
# Options that do not change results (--threads, --quiet, --force, --events)
# are left out.
kit_variant() {
  local parts=() next="" arg
  for arg in "$@"; do
    case "$next" in
      skip) next=""; continue ;;
      set) next=""; parts+=("set-$arg"); continue ;;
    esac
    case "$arg" in
      --threads) next=skip ;;
      --threads=* | --quiet | -q | --force | --events) ;;
      --set) next="set" ;;
      --set=*) parts+=("set-${arg#--set=}") ;;
      *) parts+=("$arg") ;;
    esac
  done
  if [ ${#parts[@]} -eq 0 ]; then
    echo baseline
    return
  fi
  local slug
  slug="$(IFS=_; printf '%s' "${parts[*]}" | tr -c 'A-Za-z0-9._=+-' '-')"
  if [ ${#slug} -gt 80 ]; then
    slug="${slug:0:71}-$(printf '%s\n' "$*" | sha256sum | cut -c1-8)"
  fi
  echo "$slug"
}

# kit_staging PROGRAM FINAL_DIR: makes (and prints) an empty staging folder
# beside FINAL_DIR, creating its parent; fails with one line if it cannot.
kit_staging() {
  local program="$1" final="$2" parent
  parent="$(dirname "$final")"
  mkdir -p "$parent" 2>/dev/null || kit_fail "$program" "cannot create the results folder '$parent' (read-only? choose another with -o DIR or LOYALSIM_RESULTS)"
  mktemp -d "$parent/.staging.$(basename "$final").XXXXXX" 2>/dev/null ||
    kit_fail "$program" "cannot write in the results folder '$parent' (read-only? choose another with -o DIR or LOYALSIM_RESULTS)"
}

# kit_publish STAGING FINAL_DIR: puts STAGING in FINAL_DIR's place. An older
# FINAL_DIR (the same variant run before) is replaced only now, after the new
# results are complete, and is removed only once the new ones are in place.
kit_publish() {
  local staging="$1" final="$2" old=""
  if [ -e "$final" ]; then
    old="$(mktemp -u "$(dirname "$final")/.previous.$(basename "$final").XXXXXX")"
    mv "$final" "$old"
  fi
  mv "$staging" "$final"
  [ -z "$old" ] || rm -rf "$old"
}
