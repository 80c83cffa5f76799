printf 'half a file\n' > out.h5.partial
