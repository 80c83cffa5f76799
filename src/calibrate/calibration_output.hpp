// What a calibration writes (docs/CALIBRATION.md, "Outputs"): the fitted
// scenario as TOML that `loyalsim run` reads, and an HDF5 file with every
// evaluation and the fit, each dataset with units and description
// attributes and dimension scales, like the results files. Writing only:
// where the files go, and whether they may, is the command's business.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "calibrate/search.hpp"
#include "calibrate/spec.hpp"
#include "calibrate/standard_errors.hpp"
#include "core/scenario.hpp"

namespace loyalsim::calibrate {

inline constexpr int calibration_format_version = 1;

// Everything the outputs hold.
struct CalibrationRecord {
  const CalibrationSpec& spec;
  const Trace& trace;                      // at least one search evaluation
  const StandardErrors* errors = nullptr;  // null: not computed (interrupted)
  bool complete = true;                    // false: interrupted, the best point so far
  std::string stop_reason;
  std::string software_version;
  std::string command_line;
  std::string calibration_path;
  std::string calibration_text;
};

// The base scenario with `values` set at the fitted parameters' paths.
Scenario fitted_scenario(const CalibrationSpec& spec, const std::vector<double>& values);

// The fitted scenario as TOML (io::to_toml, every value written), headed by
// comments saying where it came from and what was fitted.
std::string fitted_scenario_toml(const CalibrationRecord& record);

// Writes the HDF5 file at `path` (created, truncating); `label` names it in
// messages (the final path the user knows).
void write_calibration_h5(const std::filesystem::path& path, const std::string& label, const CalibrationRecord& record);

}  // namespace loyalsim::calibrate
