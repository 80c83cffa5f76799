# An HDF5 file that is not a loyalsim results file: with hdf5-tools, or h5py.
if command -v h5mkgrp >/dev/null; then
  h5mkgrp other.h5 /x
else
  for python in /usr/bin/python3 python3; do
    "$python" -c 'import h5py; h5py.File("other.h5", "w").create_group("x")' 2>/dev/null && break
  done
fi
