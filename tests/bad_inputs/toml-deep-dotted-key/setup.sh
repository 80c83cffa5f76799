python3 -c 'print("seed = 1\n" + ".".join(["a"] * 31000) + " = 1")' > scenario.toml
