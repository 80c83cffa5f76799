mkdir folder
ln -s folder scenario.toml
