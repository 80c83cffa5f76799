#include "cli/interrupt.hpp"

#include <csignal>

namespace loyalsim::cli {
namespace {

std::atomic<bool> stop_requested{false};
std::atomic<int> received_signal{0};
struct sigaction previous_int {
}, previous_term{};

static_assert(std::atomic<bool>::is_always_lock_free, "the handler may only touch lock-free atomics");

extern "C" void on_stop_signal(int signal_number) {
  stop_requested.store(true);
  received_signal.store(signal_number);
  // A second Ctrl-C must still work if the graceful stop takes too long.
  std::signal(signal_number, SIG_DFL);
}

}  // namespace

InterruptGuard::InterruptGuard() {
  stop_requested.store(false);
  received_signal.store(0);
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &previous_int);
  sigaction(SIGTERM, &action, &previous_term);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &previous_int, nullptr);
  sigaction(SIGTERM, &previous_term, nullptr);
}

const std::atomic<bool>& InterruptGuard::requested() const { return stop_requested; }
int InterruptGuard::signal_number() const { return received_signal.load(); }

}  // namespace loyalsim::cli
