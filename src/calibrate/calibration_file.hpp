// Calibration files (docs/CALIBRATION.md, "The file"): TOML read with the
// scenario file's machinery (io/toml_reader, io/toml_limits, io/input_file),
// every key checked once. Every problem is an InputError naming the file,
// line, column and key, with the nearest valid name for a typo.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "calibrate/spec.hpp"

namespace loyalsim::calibrate {

struct CalibrationFile {
  CalibrationSpec spec;
  std::filesystem::path path;
  std::string text;  // the file exactly as read, for the output's provenance
  std::string name;  // the file's stem: the default output name
};

// Parses calibration text; `source` names it in messages, and a scenario
// named by `scenario = "FILE"` is looked for relative to `folder`.
CalibrationSpec parse_calibration_text(std::string_view text, const std::string& source,
                                       const std::filesystem::path& folder);

// The keys each table of a calibration file may have, by table: "" (the
// top level), "parameters", "targets" and "calibration". `loyalsim params
// calibration` documents each, and a test holds the two lists together.
const std::vector<std::pair<std::string, std::vector<std::string>>>& calibration_file_keys();

// Reads and parses a file: a regular file of at most max_toml_bytes.
CalibrationFile load_calibration(const std::filesystem::path& path);

}  // namespace loyalsim::calibrate
