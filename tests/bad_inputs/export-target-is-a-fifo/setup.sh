"$EXE" run "$DATA/tiny.toml" -q -o res.h5 >/dev/null
mkdir csv
mkfifo csv/timeseries.csv
