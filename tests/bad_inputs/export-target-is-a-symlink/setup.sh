"$EXE" run "$DATA/tiny.toml" -q -o res.h5 >/dev/null
mkdir csv
ln -s elsewhere.csv csv/runs.csv
