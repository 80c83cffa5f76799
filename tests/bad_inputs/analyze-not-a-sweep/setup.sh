# A single run (no [sweep]) made here: results are not committed.
"$EXE" run "$DATA/tiny.toml" -q -o single.h5 >/dev/null
