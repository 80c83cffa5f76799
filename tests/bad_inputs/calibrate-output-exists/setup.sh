# An earlier result in the way (made here: results are not committed).
printf 'an earlier result\n' > out.h5
