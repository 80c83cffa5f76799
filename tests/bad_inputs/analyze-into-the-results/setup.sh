source "$CASES/_shared/small_saltelli.sh"
