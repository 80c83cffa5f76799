mkfifo out.h5.partial
