# A character device node like /dev/full (1,7), made here so that a
# regression cannot replace the machine's own /dev/full.
mknod full.h5 c 1 7
