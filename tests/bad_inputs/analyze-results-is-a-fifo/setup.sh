mkfifo fifo.h5
