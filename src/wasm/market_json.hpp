// The web page's view of the engine (SPEC section 9): one simulated market
// of a scenario given as TOML text, answered as JSON. The same code runs in
// the WebAssembly module (wasm_api.cpp) and in the native serial check
// (serial_market_main.cpp), so the page's numbers are the engine's.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace loyalsim::web {

// Every answer is a JSON object; a problem with the input gives
// {"error": "MESSAGE"} (the message as `loyalsim run` would print it).
//
// `overrides` holds zero or more --set assignments (PATH=VALUE), one a line,
// applied in order on top of the scenario, as `loyalsim run --set` does.
// `seed` replaces the scenario's seed, as `loyalsim run --seed` does: the run
// is the one `loyalsim run FILE --seed SEED` makes.

// The scenario's values the page's sliders start from: firms, segments,
// scripted departures, the market.
std::string describe_json(std::string_view toml, std::string_view overrides);

// The scenario after the overrides and the seed, as TOML that `loyalsim run`
// reads back to the same scenario (io::to_toml): what to paste.
std::string resolved_toml_json(std::string_view toml, std::string_view overrides, std::uint64_t seed);

// One run: each firm's customers per recorded month, the summary counts per
// firm x segment (as summary/ in a results file), and for each scripted
// departure what the leaving reps' customers chose (the star's book: the
// reps who left the departure's firm in its month with the largest books,
// as scripts/plot_classroom.py finds them in events/).
std::string run_json(std::string_view toml, std::string_view overrides, std::uint64_t seed);

}  // namespace loyalsim::web
