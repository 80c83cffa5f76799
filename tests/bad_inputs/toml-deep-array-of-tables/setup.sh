python3 -c 'print("[[" + ".".join(["a"] * 31000) + "]]")' > scenario.toml
