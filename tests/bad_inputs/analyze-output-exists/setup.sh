source "$CASES/_shared/small_saltelli.sh"
printf "an earlier analysis\n" > out.h5
