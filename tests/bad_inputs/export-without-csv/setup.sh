"$EXE" run "$DATA/tiny.toml" -q -o res.h5 >/dev/null
