#include "cli/output_checks.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "core/errors.hpp"

namespace loyalsim::cli {

namespace fs = std::filesystem;

bool file_exists(const fs::path& path) {
  struct stat info {};
  return ::lstat(path.c_str(), &info) == 0;
}

// An output (and each of its companions) is absent or a regular file.
// Anything else is refused before it is opened: writing "into" /dev/full, a
// FIFO or a directory would either hang, fail late, or (renaming onto it)
// destroy it. A symbolic link is refused too, even to a regular file: the
// file is finished by renaming NAME.h5.partial onto NAME.h5, which would
// replace the link and leave its target as it was, surprising whoever made
// the link. (A symlinked folder is fine: only the last component counts.)
void check_output_entry(const fs::path& path) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) {
    const int error = errno;
    if (error == ENOENT) return;
    if (error == ENOTDIR) throw InputError(path.string() + ": a part of the path is not a folder");
    throw InputError(path.string() + ": cannot look at the output: " + std::strerror(error));
  }
  if (S_ISREG(info.st_mode)) return;
  if (S_ISLNK(info.st_mode)) {
    throw InputError(path.string() +
                     ": is a symbolic link; loyalsim writes only to a path that is absent or a regular file (a "
                     "finished output is renamed into place, which would replace the link, not its target): give "
                     "the target's path with -o");
  }
  if (S_ISDIR(info.st_mode)) throw InputError(path.string() + ": is a directory; give a file name with -o");
  const char* kind = S_ISCHR(info.st_mode)    ? "a character device"
                     : S_ISBLK(info.st_mode)  ? "a block device"
                     : S_ISFIFO(info.st_mode) ? "a FIFO (named pipe)"
                     : S_ISSOCK(info.st_mode) ? "a socket"
                                              : "not a regular file";
  throw InputError(path.string() + ": is " + kind +
                   "; loyalsim writes its results only to a regular file: give another path with -o");
}

fs::path folder_of(const fs::path& final_path) {
  return final_path.has_parent_path() ? final_path.parent_path() : fs::path(".");
}

// The output folder must be a writable folder. A new run creates it (the
// default results/ in a fresh checkout); a resume never does: without the
// folder there is nothing to resume. False if it is absent and not created.
bool prepare_folder(const fs::path& folder, bool create) {
  std::error_code error;
  const fs::file_status status = fs::status(folder, error);
  if (fs::is_directory(status)) {
    if (::access(folder.c_str(), W_OK) != 0)
      throw InputError(folder.string() + ": the output folder is not writable: " + std::strerror(errno));
    return true;
  }
  if (fs::exists(status)) throw InputError(folder.string() + ": is not a folder, so it cannot hold the output");
  if (!create) return false;
  fs::create_directories(folder, error);
  if (error || !fs::is_directory(folder))
    throw InputError(folder.string() + ": cannot create the output folder" + (error ? ": " + error.message() : ""));
  return true;
}

// A path that names no file (-o "" or -o results/) cannot be an output.
void check_names_a_file(const fs::path& final_path) {
  if (final_path.empty() || !final_path.has_filename() || final_path.filename() == "." || final_path.filename() == "..")
    throw InputError("-o '" + final_path.string() + "': names no file; give a file name such as results/NAME.h5");
}

}  // namespace loyalsim::cli
