mkfifo out.fitted.toml
