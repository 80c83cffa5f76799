ln -s /dev/zero scenario.toml
