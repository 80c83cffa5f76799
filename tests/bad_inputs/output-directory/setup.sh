mkdir out.h5
