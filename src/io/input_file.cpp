#include "io/input_file.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/errors.hpp"

namespace loyalsim::io {
namespace {

std::string kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// Closes the descriptor on every path out of read_input_file.
struct Descriptor {
  int fd;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::string byte_limit_text(std::size_t limit) {
  std::string text;
  if (limit % (std::size_t{1} << 20) == 0) text = std::to_string(limit >> 20) + " MiB (";
  else if (limit % 1024 == 0) text = std::to_string(limit >> 10) + " KiB (";
  else return std::to_string(limit) + " bytes";
  return text + std::to_string(limit) + " bytes)";
}

std::string read_input_file(const std::filesystem::path& path, std::size_t limit, std::string_view what) {
  const std::string name = path.string();
  auto fail = [&](const std::string& problem) -> InputError { return InputError(name + ": " + problem); };
  auto system_problem = [&](const char* doing) {
    const int error = errno;
    if (error == ENOENT) return fail(std::string(what) + " not found");
    return fail(std::string("cannot ") + doing + " the " + std::string(what) + ": " + std::strerror(error));
  };

  // stat first (following symbolic links) so that a device is refused
  // without being opened at all: opening some devices has side effects.
  struct stat info {};
  if (::stat(name.c_str(), &info) != 0) throw system_problem("open");
  if (!S_ISREG(info.st_mode))
    throw fail("is " + kind_of(info.st_mode) + ", not a regular file; the " + std::string(what) +
               " must be a regular file");

  // O_NONBLOCK: should the path have been replaced by a FIFO since the stat,
  // the open still returns at once, and the fstat below refuses it.
  const Descriptor file{::open(name.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)};
  if (file.fd < 0) throw system_problem("open");
  if (::fstat(file.fd, &info) != 0) throw system_problem("examine");
  if (!S_ISREG(info.st_mode))
    throw fail("is " + kind_of(info.st_mode) + ", not a regular file; the " + std::string(what) +
               " must be a regular file");
  const std::string too_large = "the " + std::string(what) + " is larger than the limit of " + byte_limit_text(limit);
  if (static_cast<std::size_t>(info.st_size) > limit)
    throw fail(too_large + ": it has " + std::to_string(info.st_size) + " bytes");

  // Read at most limit + 1 bytes, whatever the size said: a file that grows
  // while it is read is still bounded.
  std::string text(static_cast<std::size_t>(info.st_size) + 1, '\0');
  std::size_t used = 0;
  while (true) {
    if (used == text.size()) {
      if (text.size() > limit) break;
      text.resize(std::min(limit + 1, text.size() * 2 + 4096));
    }
    const ssize_t got = ::read(file.fd, text.data() + used, text.size() - used);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw system_problem("read");
    }
    if (got == 0) break;
    used += static_cast<std::size_t>(got);
  }
  if (used > limit) throw fail(too_large);
  text.resize(used);
  return text;
}

}  // namespace loyalsim::io
