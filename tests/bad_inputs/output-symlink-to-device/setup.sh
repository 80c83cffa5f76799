ln -s /dev/full out.h5
