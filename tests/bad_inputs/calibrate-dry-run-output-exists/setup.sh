printf 'an earlier result\n' > out.h5
