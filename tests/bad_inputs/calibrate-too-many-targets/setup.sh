# 101 targets (the limit is 100), written here rather than committed.
{
  printf 'scenario = "scenario.toml"\n[[parameters]]\npath = "segments.complex.rep_weight"\nlower = 0.5\nupper = 5.0\n'
  for i in $(seq 1 101); do printf '[[targets]]\nmetric = "follow_rate"\nvalue = 0.%d\nse = 0.01\n' "$i"; done
} > cal.toml
