// One writer per output. Two `loyalsim run` on the same -o would truncate
// each other's files, so a run takes NAME.h5.lock with flock() before it
// creates, opens for writing or removes any of its files, and holds it to the
// end. flock() locks die with their process, so a SIGKILL leaves a stale
// lock file but no stale lock: the next run simply takes it.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace loyalsim::io {

// NAME.h5 -> NAME.h5.lock
std::filesystem::path lock_path_for(const std::filesystem::path& final_path);

class OutputLock {
 public:
  // Takes the lock on `lock_path` (creating the file if it is absent), which
  // guards `final_path`. Throws InputError, having changed nothing, if
  // another process holds it (naming that process if it recorded itself),
  // if the lock path is not a regular file, or if the folder is not writable.
  static OutputLock acquire(const std::filesystem::path& lock_path, const std::filesystem::path& final_path);

  OutputLock(OutputLock&& other) noexcept;
  OutputLock& operator=(OutputLock&& other) noexcept;
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;
  // Releases the lock. The lock file is removed if this process created it,
  // or claimed it; a refused command leaves someone else's (stale) lock file
  // byte for byte as it was.
  ~OutputLock();

  // The run is accepted and will write: records this process's id in the
  // lock file (so a second writer's message can name it) and makes the lock
  // file ours to remove at the end.
  void claim();

 private:
  OutputLock(std::filesystem::path path, int fd, bool created);
  void release() noexcept;

  std::filesystem::path path_;
  int fd_ = -1;
  bool created_ = false;  // this process created the lock file
  bool claimed_ = false;  // the run went ahead: the file is ours to remove
};

}  // namespace loyalsim::io
