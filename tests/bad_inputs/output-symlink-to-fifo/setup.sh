mkfifo pipe
ln -s pipe out.h5
