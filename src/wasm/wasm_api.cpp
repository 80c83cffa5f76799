// The WebAssembly module's functions (scripts/web.sh builds them with em++):
// C linkage, UTF-8 strings in, a JSON string out. The answer stays valid
// until the next call; JavaScript copies it at once (UTF8ToString). The seed
// comes as a double: JavaScript numbers are exact up to 2^53, and the page
// uses small seeds.
#include <emscripten/emscripten.h>

#include <cstdint>
#include <string>

#include "wasm/market_json.hpp"

namespace {
std::string last_answer;

const char* keep(std::string answer) {
  last_answer = std::move(answer);
  return last_answer.c_str();
}

std::uint64_t seed_of(double seed) {
  // The page checks its seeds; a bad one still gives a defined value here.
  return seed >= 0.0 && seed < 9007199254740992.0 ? static_cast<std::uint64_t>(seed) : 0;
}
}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE const char* loyalsim_describe(const char* toml, const char* overrides) {
  return keep(loyalsim::web::describe_json(toml, overrides));
}

EMSCRIPTEN_KEEPALIVE const char* loyalsim_resolved_toml(const char* toml, const char* overrides, double seed) {
  return keep(loyalsim::web::resolved_toml_json(toml, overrides, seed_of(seed)));
}

EMSCRIPTEN_KEEPALIVE const char* loyalsim_run(const char* toml, const char* overrides, double seed) {
  return keep(loyalsim::web::run_json(toml, overrides, seed_of(seed)));
}
}
