#!/usr/bin/env python3
"""Writes fuzzer inputs too large and too regular to keep as files:
deeply nested TOML, some of which overflows toml++'s stack.

    generate_inputs.py OUTPUT_DIRECTORY

Cases in PENDING (not yet fixed) go to OUTPUT_DIRECTORY/pending, the others
to OUTPUT_DIRECTORY/regressions; ctest replays only the latter. When the fix
lands, remove a case's name from PENDING.
"""
import pathlib
import sys

# toml++ recursed once per part of a dotted key or table header: ~31,000
# parts overflowed an 8 MiB stack. 40,000 parts is past that with margin.
PARTS = 40000

FIRM = '\n[[firms]]\nname = "A"\n\n[[segments]]\nname = "s"\n'

CASES = {
    "deep_table_header.toml": "[" + ".".join(["a"] * PARTS) + "]\nx = 1\n" + FIRM,
    "deep_dotted_key.toml": ".".join(["a"] * PARTS) + " = 1\n" + FIRM,
    "deep_dotted_key_in_market.toml": "[market]\n" + ".".join(["b"] * PARTS) + " = 1\n" + FIRM,
    "deep_array_of_tables_header.toml": "[[" + ".".join(["a"] * PARTS) + "]]\n" + FIRM,
    "deep_inline_table.toml": "x = " + "{a=" * PARTS + "1" + "}" * PARTS + "\n" + FIRM,
    "deep_array.toml": "x = " + "[" * PARTS + "]" * PARTS + "\n" + FIRM,
    "deep_set_override.toml": "--set " + ".".join(["firms"] * PARTS) + "=1\n" + FIRM,
}

# Overflow toml++'s stack (parser.inl, update_region_ends recursing once per
# nested table) until the scenario reader bounds the nesting.
PENDING = set()


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = pathlib.Path(sys.argv[1])
    for name, text in CASES.items():
        folder = out / ("pending" if name in PENDING else "regressions")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)


if __name__ == "__main__":
    main()
