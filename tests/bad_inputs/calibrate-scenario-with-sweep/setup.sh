printf "[sweep]\ndesign = \"grid\"\n[sweep.parameters]\n\"market.substitutability\" = [0.1, 0.2]\n" >> scenario.toml
