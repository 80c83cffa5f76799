sed -i 's/^customers = 600/customrs = 600/' scenario.toml
