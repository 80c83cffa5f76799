# A finished saltelli sweep in results.h5 (results are not committed): the
# smallest sweep analyze reads, for the analyze-* cases.
cat > sweep.toml <<'EOT'
seed = 3
[market]
customers = 200
months = 6
[[firms]]
name = "A"
reps = 4
[[firms]]
name = "B"
reps = 3
[[segments]]
name = "s"
share = 1.0
[sweep]
design = "saltelli"
samples = 4
[sweep.parameters]
"market.substitutability" = [0.1, 0.9]
"firms.A.non_solicit" = [0.0, 1.0]
EOT
"$EXE" run sweep.toml -q -o results.h5 >/dev/null
rm sweep.toml
