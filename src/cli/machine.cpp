#include "cli/machine.hpp"

#include <algorithm>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>

#include "core/errors.hpp"
#include "core/state.hpp"

namespace loyalsim::cli {

std::size_t available_memory_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  std::size_t kib = 0;
  std::string unit;
  while (meminfo >> key >> kib >> unit)
    if (key == "MemAvailable:") return kib * 1024;
  return 0;
}

void check_memory(std::size_t largest, std::int64_t runs, int threads, bool quiet) {
  const auto concurrent = static_cast<std::size_t>(std::min<std::int64_t>(runs, static_cast<std::int64_t>(threads)));
  const double gib = 1024.0 * 1024.0 * 1024.0;
  const double needed = static_cast<double>(largest) * static_cast<double>(concurrent);
  const auto available = static_cast<double>(available_memory_bytes());
  if (available > 0 && needed > available) {
    std::ostringstream message;
    message << std::fixed << std::setprecision(2) << "the run needs about " << needed / gib
            << " GiB of memory (agent state at " << customer_state_bytes
            << " bytes per customer and the recorded metrics, months x firms x segments"
            << (concurrent > 1 ? ", " + std::to_string(concurrent) + " runs at once" : std::string()) << ") but only "
            << available / gib << " GiB are available; reduce market.customers or market.months"
            << (concurrent > 1 ? ", or --threads" : "");
    throw InputError(message.str());
  }
  if (!quiet && needed > static_cast<double>(std::size_t{256} << 20))
    std::cerr << "loyalsim: estimated memory " << std::fixed << std::setprecision(2) << needed / gib << " GiB of "
              << available / gib << " GiB available\n";
}

int available_threads(int requested) {
  return requested > 0 ? requested : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace loyalsim::cli
