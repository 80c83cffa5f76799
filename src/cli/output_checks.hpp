// The checks every command that writes an output makes before it touches
// anything (README, "Guarantees"): the path names a file, each output entry
// is absent or a regular file, the folder is a writable folder. Shared by
// `run` (cli/sweep_output) and `calibrate`.
#pragma once

#include <filesystem>

namespace loyalsim::cli {

// Something (of any kind, a dangling symbolic link too) is at `path`.
bool file_exists(const std::filesystem::path& path);

// An output (and each of its companions) is absent or a regular file; a
// symbolic link, a directory, a device or a FIFO is refused (InputError).
void check_output_entry(const std::filesystem::path& path);

// The folder an output lives in ("." for a bare file name).
std::filesystem::path folder_of(const std::filesystem::path& final_path);

// The output folder must be a writable folder; `create`: make it if absent.
// False if it is absent and not created.
bool prepare_folder(const std::filesystem::path& folder, bool create);

// A path that names no file (-o "" or -o results/) cannot be an output.
void check_names_a_file(const std::filesystem::path& final_path);

}  // namespace loyalsim::cli
