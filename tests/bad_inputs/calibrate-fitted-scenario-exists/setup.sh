printf 'an earlier fitted scenario\n' > out.fitted.toml
