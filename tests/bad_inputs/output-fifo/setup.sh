mkfifo out.h5
