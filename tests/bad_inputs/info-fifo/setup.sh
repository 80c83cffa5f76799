mkfifo pipe.h5
