// loyalsim_serial_market FILE SEED [PATH=VALUE ...]: one run of a scenario
// through the page's code (market_json.cpp), printed as the page's JSON.
// Built natively with the core's serial path (LOYALSIM_SERIAL=1, no oneTBB)
// by tests/web/, so a divergence of the serial path from the oneTBB build
// shows even where emscripten is absent.
#include <cstdint>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "io/scenario_file.hpp"
#include "wasm/market_json.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: loyalsim_serial_market FILE SEED [PATH=VALUE ...]\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::cerr << "loyalsim_serial_market: error: cannot read '" << argv[1] << "'\n";
    return 2;
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::string overrides;
  for (int i = 3; i < argc; ++i) overrides += std::string(argv[i]) + "\n";
  std::uint64_t seed = 0;
  try {
    seed = loyalsim::io::parse_seed(argv[2], "SEED");
  } catch (const std::exception& e) {
    std::cerr << "loyalsim_serial_market: error: " << e.what() << "\n";
    return 2;
  }
  const std::string answer = loyalsim::web::run_json(text.str(), overrides, seed);
  std::cout << answer << "\n";
  return answer.starts_with("{\"error\"") ? 2 : 0;
}
