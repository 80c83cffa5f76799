"$EXE" run "$DATA/tiny.toml" -q -o res.h5 >/dev/null
mkdir csv
echo mine > csv/summary.csv
