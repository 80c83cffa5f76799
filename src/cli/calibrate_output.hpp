// Where `loyalsim calibrate` writes, under the output rules of `run`
// (README, "Guarantees"): NAME.h5 and NAME.fitted.toml, each absent or a
// regular file, never replaced without --force, one writer at a time
// (NAME.h5.lock), and each written beside itself (.partial) and renamed
// into place, so a failure leaves no half-written output at either path.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "calibrate/calibration_output.hpp"
#include "io/output_lock.hpp"

namespace loyalsim::cli {

struct CalibrationPaths {
  std::filesystem::path h5;            // NAME.h5
  std::filesystem::path h5_partial;    // NAME.h5.partial
  std::filesystem::path toml;          // NAME.fitted.toml
  std::filesystem::path toml_partial;  // NAME.fitted.toml.partial
  std::filesystem::path lock;          // NAME.h5.lock
};

CalibrationPaths calibration_paths(const std::filesystem::path& h5);

// The refusals a real calibration's output would give (InputError), made
// without creating, locking or changing anything: for --dry-run, and
// before any evaluation. `inputs` are the calibration and scenario files,
// which an output must not be.
void check_calibration_output(const CalibrationPaths& paths, bool force,
                              const std::vector<std::filesystem::path>& inputs);

// Takes the lock (creating the folder if needed), checks again under it,
// and claims it: from here on the outputs are this process's to write.
io::OutputLock lock_calibration_output(const CalibrationPaths& paths, bool force,
                                       const std::vector<std::filesystem::path>& inputs);

// Writes both outputs to their .partial paths and renames them into
// place. On failure removes the partial files and throws Error.
void write_calibration_outputs(const CalibrationPaths& paths, const calibrate::CalibrationRecord& record);

}  // namespace loyalsim::cli
