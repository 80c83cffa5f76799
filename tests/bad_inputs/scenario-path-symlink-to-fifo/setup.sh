mkfifo pipe
ln -s pipe scenario.toml
