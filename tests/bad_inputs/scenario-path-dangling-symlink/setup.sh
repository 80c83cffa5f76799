ln -s absent.toml scenario.toml
