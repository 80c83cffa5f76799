#include "wasm/market_json.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <map>
#include <sstream>
#include <vector>

#include "core/errors.hpp"
#include "core/metrics.hpp"
#include "core/model.hpp"
#include "core/parameters.hpp"
#include "core/simulate.hpp"
#include "io/scenario_file.hpp"

namespace loyalsim::web {
namespace {

// The page's scenario text is named like a file in messages.
const std::string source_name = "scenario";

void put_string(std::ostringstream& out, std::string_view text) {
  out << '"';
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out << '\\' << c;
    } else if (c == '\n') {
      out << "\\n";
    } else if (byte < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(byte));
      out << escaped;
    } else {
      out << c;  // UTF-8 passes through: the reader has checked it
    }
  }
  out << '"';
}

// A double as JSON: shortest text that reads back to the same value.
void put_number(std::ostringstream& out, double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  out << text;
}

std::string error_json(std::string_view message) {
  std::ostringstream out;
  out << "{\"error\":";
  put_string(out, message);
  out << '}';
  return out.str();
}

Scenario scenario_of(std::string_view toml, std::string_view overrides) {
  Scenario scenario = io::parse_scenario_text(toml, source_name).scenario;
  std::size_t begin = 0;
  while (begin <= overrides.size()) {
    std::size_t end = overrides.find('\n', begin);
    if (end == std::string_view::npos) end = overrides.size();
    const std::string_view line = overrides.substr(begin, end - begin);
    if (line.find_first_not_of(" \t\r") != std::string_view::npos) io::apply_override(scenario, line);
    begin = end + 1;
  }
  io::validate_scenario(scenario, source_name);
  return scenario;
}

// Catches every error at the boundary: JavaScript gets a message, never an
// exception it cannot read.
template <class Body>
std::string answer(Body body) {
  try {
    return body();
  } catch (const std::exception& e) {
    return error_json(e.what());
  }
}

std::size_t firm_index(const Scenario& scenario, const std::string& name) {
  for (std::size_t f = 0; f < scenario.firms.size(); ++f)
    if (scenario.firms[f].name == name) return f;
  return scenario.firms.size();
}

void put_names(std::ostringstream& out, const auto& items) {
  out << '[';
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out << ',';
    put_string(out, items[i].name);
  }
  out << ']';
}

// Every parameter of the registry (core/parameters.hpp) in `scope`, read
// from `owner`, as ,"name":value pairs: the page sees what the engine
// reads, with no list of names of its own.
void put_parameters(std::ostringstream& out, Scope scope, const void* owner) {
  for (const ParameterInfo& parameter : all_parameters()) {
    if (parameter.scope != scope) continue;
    out << ",\"" << parameter.name << "\":";
    put_number(out, parameter.get(owner));
  }
}

}  // namespace

std::string describe_json(std::string_view toml, std::string_view overrides) {
  return answer([&] {
    const Scenario s = scenario_of(toml, overrides);
    std::ostringstream out;
    out << "{\"seed\":" << s.seed;
    put_parameters(out, Scope::market, &s.market);
    out << ",\"firms\":[";
    for (std::size_t f = 0; f < s.firms.size(); ++f) {
      if (f) out << ',';
      out << "{\"name\":";
      put_string(out, s.firms[f].name);
      put_parameters(out, Scope::firm, &s.firms[f]);
      out << '}';
    }
    out << "],\"segments\":[";
    for (std::size_t g = 0; g < s.segments.size(); ++g) {
      if (g) out << ',';
      out << "{\"name\":";
      put_string(out, s.segments[g].name);
      put_parameters(out, Scope::segment, &s.segments[g]);
      out << '}';
    }
    out << "],\"departures\":[";
    for (std::size_t d = 0; d < s.departures.size(); ++d) {
      const ScriptedDeparture& departure = s.departures[d];
      if (d) out << ',';
      out << "{\"month\":" << departure.month << ",\"count\":" << departure.count << ",\"firm\":";
      put_string(out, departure.firm);
      out << ",\"which\":";
      put_string(out, departure.which);
      out << ",\"to\":";
      put_string(out, departure.to);
      out << '}';
    }
    out << "]}";
    return out.str();
  });
}

std::string resolved_toml_json(std::string_view toml, std::string_view overrides, std::uint64_t seed) {
  return answer([&] {
    Scenario scenario = scenario_of(toml, overrides);
    scenario.seed = seed;
    std::ostringstream out;
    out << "{\"toml\":";
    put_string(out, io::to_toml(scenario));
    out << '}';
    return out.str();
  });
}

std::string run_json(std::string_view toml, std::string_view overrides, std::uint64_t seed) {
  return answer([&] {
    Scenario scenario = scenario_of(toml, overrides);
    scenario.seed = seed;
    // The seed of `loyalsim run` without a [sweep]: the one run of a
    // single-point design (sweep/design.cpp, run_id).
    const Model model = make_model(scenario, derive_run_seed(seed, 0, 0));
    SimulationOptions options;
    options.record_events = true;
    const RunResult result = simulate(model, options);

    const std::size_t firms = result.firms, segments = result.segments;
    std::ostringstream out;
    out << "{\"seed\":" << seed << ",\"firms\":";
    put_names(out, scenario.firms);
    out << ",\"segments\":";
    put_names(out, scenario.segments);
    out << ",\"months\":" << result.months << ",\"scripted_shortfall\":" << result.scripted_shortfall;

    // Each firm's customers at the end of each recorded month, summed over segments.
    const auto& customers = result.series.counts[index_of(Series::customers)];
    out << ",\"customers\":[";
    for (std::size_t m = 0; m < result.months; ++m) {
      out << (m ? ",[" : "[");
      for (std::size_t f = 0; f < firms; ++f) {
        std::int64_t total = 0;
        for (std::size_t g = 0; g < segments; ++g) total += customers[(m * firms + f) * segments + g];
        out << (f ? "," : "") << total;
      }
      out << ']';
    }

    // Every count of summary/, by its name there: [firm][segment] or [firm].
    out << "],\"summary\":{";
    bool first = true;
    for (std::size_t i = 0; i < summary_metrics.size(); ++i) {
      const MetricInfo& metric = summary_metrics[i];
      if (metric.type != MetricType::count) continue;
      const auto& values = result.totals.counts[i];
      out << (first ? "" : ",");
      first = false;
      put_string(out, metric.name);
      out << ":[";
      for (std::size_t f = 0; f < firms; ++f) {
        if (metric.shape == MetricShape::firm) {
          out << (f ? "," : "") << values[f];
          continue;
        }
        out << (f ? ",[" : "[");
        for (std::size_t g = 0; g < segments; ++g) out << (g ? "," : "") << values[f * segments + g];
        out << ']';
      }
      out << ']';
    }

    // The stars: for each scripted departure, the `count` reps with the
    // largest books among those who left its firm in its month (ties: the
    // lower id, as the engine picks them), and their customers' choices.
    out << "},\"stars\":[";
    for (std::size_t d = 0; d < scenario.departures.size(); ++d) {
      const ScriptedDeparture& departure = scenario.departures[d];
      const std::size_t firm = firm_index(scenario, departure.firm);
      std::map<std::int32_t, std::int64_t> books;
      for (const DecisionEvent& e : result.events)
        if (e.month == departure.month && static_cast<std::size_t>(e.from_firm) == firm) ++books[e.rep];
      std::vector<std::pair<std::int64_t, std::int32_t>> ranked;  // (-book, rep)
      for (const auto& [rep, book] : books) ranked.emplace_back(-book, rep);
      std::sort(ranked.begin(), ranked.end());
      if (ranked.size() > static_cast<std::size_t>(departure.count))
        ranked.resize(static_cast<std::size_t>(departure.count));
      std::vector<std::int32_t> stars;
      for (const auto& entry : ranked) stars.push_back(entry.second);
      std::int64_t chose[3] = {0, 0, 0};
      for (const DecisionEvent& e : result.events)
        if (e.month == departure.month && static_cast<std::size_t>(e.from_firm) == firm &&
            std::find(stars.begin(), stars.end(), e.rep) != stars.end())
          ++chose[static_cast<std::size_t>(e.choice)];
      out << (d ? "," : "") << "{\"firm\":";
      put_string(out, departure.firm);
      out << ",\"to\":";
      put_string(out, departure.to);
      out << ",\"month\":" << departure.month << ",\"book\":" << chose[0] + chose[1] + chose[2]
          << ",\"stayed\":" << chose[0] << ",\"followed\":" << chose[1] << ",\"defected\":" << chose[2] << '}';
    }
    out << "]}";
    return out.str();
  });
}

}  // namespace loyalsim::web
