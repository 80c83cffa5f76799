# A file named like a results file that is not HDF5 at all: made here, since
# results files are produced, never committed.
printf 'not an HDF5 file at all\n' > garbage.h5
