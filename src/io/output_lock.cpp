#include "io/output_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "core/errors.hpp"

namespace loyalsim::io {
namespace {

namespace fs = std::filesystem;

std::string system_message(int error) { return std::strerror(error); }

// The pid a holder wrote into the lock file, or "" if none can be read.
std::string recorded_pid(int fd) {
  char text[32] = {};
  const ssize_t n = ::pread(fd, text, sizeof text - 1, 0);
  if (n <= 0) return {};
  std::string pid(text, static_cast<std::size_t>(n));
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) return {};
  return pid;
}

bool same_file(const struct stat& a, const struct stat& b) { return a.st_dev == b.st_dev && a.st_ino == b.st_ino; }

}  // namespace

fs::path lock_path_for(const fs::path& final_path) {
  fs::path lock = final_path;
  lock += ".lock";
  return lock;
}

OutputLock::OutputLock(fs::path path, int fd, bool created) : path_(std::move(path)), fd_(fd), created_(created) {}

OutputLock::OutputLock(OutputLock&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)), created_(other.created_),
      claimed_(other.claimed_) {}

OutputLock& OutputLock::operator=(OutputLock&& other) noexcept {
  if (this != &other) {
    release();
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    created_ = other.created_;
    claimed_ = other.claimed_;
  }
  return *this;
}

OutputLock::~OutputLock() { release(); }

void OutputLock::release() noexcept {
  if (fd_ < 0) return;
  // Unlinked while still held, and only if the path still names our file:
  // a process that opened it meanwhile finds, once it gets the lock, that
  // the path no longer names what it locked, and starts over (acquire()).
  if (created_ || claimed_) {
    struct stat held {
    }, named{};
    if (::fstat(fd_, &held) == 0 && ::lstat(path_.c_str(), &named) == 0 && same_file(held, named))
      ::unlink(path_.c_str());
  }
  ::close(fd_);  // releases the flock
  fd_ = -1;
}

OutputLock OutputLock::acquire(const fs::path& lock_path, const fs::path& final_path) {
  const std::string who = final_path.string();
  for (int attempt = 0; attempt < 100; ++attempt) {
    // O_NOFOLLOW and O_NONBLOCK: a symlink is refused rather than followed,
    // and opening a FIFO planted at the lock path does not hang.
    bool created = true;
    int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
    if (fd < 0 && errno == EEXIST) {
      created = false;
      fd = ::open(lock_path.c_str(), O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
      if (fd < 0 && errno == ENOENT) continue;  // removed by its holder meanwhile: try again
    }
    if (fd < 0) {
      const int error = errno;
      if (error == ELOOP)
        throw InputError(lock_path.string() +
                         ": is a symbolic link; loyalsim's lock file must be a regular file "
                         "(remove it)");
      if (error == EISDIR)
        throw InputError(lock_path.string() + ": is a directory; loyalsim's lock file must be a regular file");
      throw InputError(lock_path.string() + ": cannot create the lock file for " + who + ": " + system_message(error) +
                       " (is the output folder writable?)");
    }
    OutputLock lock(lock_path, fd, created);  // closes (and removes what it created) on any throw below
    struct stat held {};
    if (::fstat(fd, &held) != 0) {
      const int error = errno;
      throw InputError(lock_path.string() + ": " + system_message(error));
    }
    if (!S_ISREG(held.st_mode)) {
      lock.created_ = false;  // never remove what is not a regular file
      throw InputError(lock_path.string() + ": is not a regular file; loyalsim's lock file must be one (remove it)");
    }
    int locked = 0;
    while ((locked = ::flock(fd, LOCK_EX | LOCK_NB)) != 0 && errno == EINTR) {
    }
    if (locked != 0) {
      const int error = errno;
      lock.created_ = false;  // someone else holds it: theirs, not ours to remove
      if (error == EWOULDBLOCK) {
        const std::string pid = recorded_pid(fd);
        throw InputError(who + ": is being written by another loyalsim process" +
                         (pid.empty() ? std::string() : " (pid " + pid + ")") +
                         "; wait for it to finish, or stop it first (an interrupted run can be finished with "
                         "--resume)");
      }
      throw InputError(lock_path.string() + ": cannot lock: " + system_message(error));
    }
    // Between our open() and flock(), the previous holder may have finished
    // and unlinked the file: then we hold a lock nobody else can see.
    struct stat named {};
    if (::lstat(lock_path.c_str(), &named) != 0 || !same_file(held, named)) {
      lock.created_ = false;
      continue;
    }
    if (created) {
      // Ours from the start: record who holds it at once.
      lock.claimed_ = false;
      const std::string pid = std::to_string(::getpid()) + "\n";
      if (::write(fd, pid.data(), pid.size()) < 0) {
        // Not fatal: the pid only makes a second writer's message nicer.
      }
    }
    return lock;
  }
  throw InputError(lock_path.string() + ": the lock file keeps being replaced; is another program removing it?");
}

void OutputLock::claim() {
  if (fd_ < 0 || claimed_) return;
  claimed_ = true;
  if (created_) return;  // already holds our pid
  // A stale lock file left by a killed run: now ours, with our pid.
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) == 0 && ::pwrite(fd_, pid.data(), pid.size(), 0) < 0) {
    // Not fatal, as above.
  }
}

}  // namespace loyalsim::io
