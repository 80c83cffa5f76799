// What `loyalsim calibrate` prints: the plan (--dry-run), and after the
// search the table of targets beside the fitted moments and of the fitted
// parameters with their approximate standard errors.
#pragma once

#include <iosfwd>
#include <string>

#include "calibrate/search.hpp"
#include "calibrate/spec.hpp"
#include "calibrate/standard_errors.hpp"
#include "cli/calibrate_output.hpp"
#include "sweep/check_points.hpp"

namespace loyalsim::cli {

void print_calibration_plan(std::ostream& out, const std::string& source, const calibrate::CalibrationSpec& spec,
                            const SweepExtent& per_evaluation, const CalibrationPaths& paths);

// Targets (value, se, fitted moment, its replicate se, z) and parameters
// (bounds, start, fitted, se); `errors` null when not computed.
void print_calibration_table(std::ostream& out, const calibrate::CalibrationSpec& spec, const calibrate::Trace& trace,
                             const calibrate::StandardErrors* errors);

// "1.234", "1.2e-05", "-": a value in the table's columns.
std::string table_number(double value);

}  // namespace loyalsim::cli
