mkdir folder.h5
