#include "cli/calibrate_output.hpp"

#include <fstream>
#include <system_error>
#include <vector>

#include "cli/output_checks.hpp"
#include "core/errors.hpp"
#include "io/results_file.hpp"

namespace loyalsim::cli {
namespace {

namespace fs = std::filesystem;

// An output must not be one of the inputs: --force would replace the
// calibration (or scenario) file with results.
void check_not_an_input(const fs::path& output, const std::vector<fs::path>& inputs) {
  for (const fs::path& input : inputs) {
    std::error_code error;
    if (fs::equivalent(output, input, error))
      throw InputError(output.string() + ": is an input of this calibration (" + input.string() +
                       "); give another output name with -o");
  }
}

void check_entries(const CalibrationPaths& paths, bool force, const std::vector<fs::path>& inputs) {
  check_names_a_file(paths.h5);
  for (const fs::path* path : {&paths.h5, &paths.h5_partial, &paths.toml, &paths.toml_partial, &paths.lock})
    check_output_entry(*path);
  check_not_an_input(paths.h5, inputs);
  check_not_an_input(paths.toml, inputs);
  if (force) return;
  for (const fs::path* path : {&paths.h5, &paths.toml})
    if (file_exists(*path))
      throw InputError(path->string() + ": exists; use --force to overwrite it or -o to write elsewhere");
  for (const fs::path* path : {&paths.h5_partial, &paths.toml_partial})
    if (file_exists(*path))
      throw InputError(path->string() +
                       ": was left by a calibration that was killed while writing; remove it, or use --force");
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.flush();
  if (!out) throw Error(path.string() + ": cannot write the fitted scenario");
}

void rename_into_place(const fs::path& from, const fs::path& to) {
  std::error_code error;
  fs::rename(from, to, error);
  if (error) throw Error(to.string() + ": cannot move " + from.string() + " into place: " + error.message());
}

}  // namespace

CalibrationPaths calibration_paths(const fs::path& h5) {
  CalibrationPaths paths;
  paths.h5 = h5;
  paths.h5_partial = io::partial_path_for(h5);
  paths.toml = h5;
  paths.toml.replace_extension(".fitted.toml");
  paths.toml_partial = paths.toml;
  paths.toml_partial += ".partial";
  paths.lock = io::lock_path_for(h5);
  return paths;
}

void check_calibration_output(const CalibrationPaths& paths, bool force, const std::vector<fs::path>& inputs) {
  check_entries(paths, force, inputs);
  const fs::path folder = folder_of(paths.h5);
  std::error_code error;
  if (fs::exists(fs::status(folder, error))) prepare_folder(folder, false);  // an absent one is created later
}

io::OutputLock lock_calibration_output(const CalibrationPaths& paths, bool force, const std::vector<fs::path>& inputs) {
  check_entries(paths, force, inputs);
  prepare_folder(folder_of(paths.h5), true);
  io::OutputLock lock = io::OutputLock::acquire(paths.lock, paths.h5);
  // Another process may have written them between the first check and the lock.
  check_entries(paths, force, inputs);
  lock.claim();
  return lock;
}

void write_calibration_outputs(const CalibrationPaths& paths, const calibrate::CalibrationRecord& record) {
  try {
    calibrate::write_calibration_h5(paths.h5_partial, paths.h5.string(), record);
    write_text(paths.toml_partial, calibrate::fitted_scenario_toml(record));
    rename_into_place(paths.h5_partial, paths.h5);
    rename_into_place(paths.toml_partial, paths.toml);
  } catch (const std::exception& e) {
    std::error_code ignored;
    fs::remove(paths.h5_partial, ignored);
    fs::remove(paths.toml_partial, ignored);
    throw Error(e.what());
  }
}

}  // namespace loyalsim::cli
