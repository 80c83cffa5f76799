mkdir out.h5.journal
