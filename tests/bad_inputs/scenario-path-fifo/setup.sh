mkfifo scenario.toml
