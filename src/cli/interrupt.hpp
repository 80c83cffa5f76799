// SIGINT and SIGTERM ask a running sweep to stop: finished runs are kept and
// the file is left resumable. A second signal ends the process at once.
#pragma once

#include <atomic>

namespace loyalsim::cli {

class InterruptGuard {
 public:
  InterruptGuard();   // installs the handlers
  ~InterruptGuard();  // restores the previous ones
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  const std::atomic<bool>& requested() const;
  int signal_number() const;  // the signal received, 0 if none
};

}  // namespace loyalsim::cli
