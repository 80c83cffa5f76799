cp "$DATA/tiny.toml" scenario.toml
python3 -c 'print(("# padding" + " " * 90 + "\n") * 20000, end="")' >> scenario.toml
