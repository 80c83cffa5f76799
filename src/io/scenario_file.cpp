#include "io/scenario_file.hpp"

#include <cctype>
#include <cmath>
#include <iomanip>
#include <set>
#include <sstream>
#include <vector>

#include <toml++/toml.h>

#include "core/errors.hpp"
#include "core/model.hpp"
#include "core/parameters.hpp"
#include "io/input_file.hpp"
#include "io/names.hpp"
#include "io/scenario_table.hpp"
#include "io/sweep_table.hpp"
#include "io/toml_limits.hpp"
#include "io/toml_reader.hpp"
#include "io/toml_writer.hpp"
#include "io/utf8.hpp"

namespace loyalsim::io {
namespace {

const std::vector<std::string> top_level_keys{"seed", "market", "firms", "segments", "departures", "sweep"};
const std::vector<std::string> departure_keys{"month", "count", "firm", "which", "to"};

// A name (of a firm, a segment, or a firm a departure names) read from
// `node`, checked against the one rule for names (io/names.hpp).
std::string checked_name(const Reader& reader, const toml::node& node, const std::string& key) {
  std::string name = reader.string(node, key);
  if (auto problem = name_problem(name)) reader.fail(node.source(), key, *problem);
  return name;
}

// Names in [[firms]] and [[segments]]: required, valid names, unique.
std::string entity_name(const Reader& reader, const toml::table& table, const std::string& array_name,
                        std::size_t index, std::set<std::string>& seen) {
  const std::string where = array_name + "[" + std::to_string(index + 1) + "]";
  const toml::node* node = table.get("name");
  if (node == nullptr)
    reader.fail(table.source(), where + ".name", "every entry of [[" + array_name + "]] needs a name");
  std::string name = checked_name(reader, *node, where + ".name");
  if (name == "industry" && array_name == "firms")
    reader.fail(node->source(), where + ".name", "'industry' is reserved for departures that leave the industry");
  if (!seen.insert(name).second)
    reader.fail(node->source(), where + ".name", "duplicate name '" + name + "' in [[" + array_name + "]]");
  return name;
}

// [[firms]] or [[segments]]: each table a named entity, names unique.
template <class Entity>
std::vector<Entity> read_entities(const Reader& reader, const toml::node& node, const std::string& array_name,
                                  Scope scope) {
  std::vector<Entity> entities;
  std::set<std::string> seen;
  const toml::array& tables = reader.array_of_tables(node, array_name);
  for (std::size_t i = 0; i < tables.size(); ++i) {
    const toml::table& table = *tables[i].as_table();
    Entity entity;
    entity.name = entity_name(reader, table, array_name, i, seen);
    reader.parameters(table, scope, &entity, array_name + "." + entity.name);
    entities.push_back(entity);
  }
  return entities;
}

ScriptedDeparture departure(const Reader& reader, const toml::table& table, std::size_t index,
                            const Scenario& scenario) {
  const std::string where = "departures[" + std::to_string(index + 1) + "]";
  ScriptedDeparture d;
  for (auto&& [key, node] : table) {
    const std::string path = where + "." + std::string(key.str());
    if (key.str() == "month")
      d.month = reader.integer(node, path, 1 - scenario.market.burn_in_months, scenario.market.months);
    else if (key.str() == "count") d.count = reader.integer(node, path, 1, 10000000);
    else if (key.str() == "firm") d.firm = checked_name(reader, node, path);
    else if (key.str() == "which") {
      d.which = reader.string(node, path);
      if (d.which != "largest_book" && d.which != "random")
        reader.fail(node.source(), path, "must be \"largest_book\" or \"random\", found \"" + d.which + "\"");
    } else if (key.str() == "to") d.to = checked_name(reader, node, path);
    else reader.unknown_key(key, "[[departures]]", departure_keys, where + ".");
  }
  std::vector<std::string> firm_names;
  for (const auto& f : scenario.firms) firm_names.push_back(f.name);
  auto check_firm = [&](const char* key, const std::string& name, bool industry_allowed) {
    const toml::node* node = table.get(key);
    const toml::source_region region = node ? node->source() : table.source();
    if (node == nullptr && !industry_allowed) reader.fail(region, where + "." + key, "is required");
    if (industry_allowed && name == "industry") return;
    for (const auto& f : firm_names)
      if (f == name) return;
    std::string problem = "no firm named '" + name + "'";
    const std::string hint = nearest_name(name, firm_names);
    if (!hint.empty()) problem += " (did you mean '" + hint + "'?)";
    reader.fail(region, where + "." + key, problem);
  };
  check_firm("firm", d.firm, false);
  check_firm("to", d.to, true);
  if (d.to == d.firm) reader.fail(table.get("to")->source(), where + ".to", "must differ from 'firm'");
  return d;
}

}  // namespace

ParsedScenario parse_scenario_text(std::string_view text, const std::string& source) {
  const Reader reader(source);
  const toml::table document = parse_bounded_toml(text, source);
  return read_scenario_table(reader, document, "the top level");
}

ParsedScenario read_scenario_table(const Reader& reader, const toml::table& document, const std::string& context) {
  const std::string& source = reader.source();
  for (auto&& [key, node] : document) {
    bool known = false;
    for (const auto& k : top_level_keys) known = known || key.str() == k;
    if (!known) reader.unknown_key(key, context, top_level_keys);
  }

  Scenario scenario;
  if (const toml::node* seed = document.get("seed"))
    scenario.seed = static_cast<std::uint64_t>(reader.integer(*seed, "seed", 0, max_seed));
  if (const toml::node* market = document.get("market"))
    reader.parameters(reader.table(*market, "market"), Scope::market, &scenario.market, "market");

  const toml::node* firms = document.get("firms");
  if (firms == nullptr) reader.fail_file("no [[firms]] tables: at least one firm is needed");
  scenario.firms = read_entities<FirmParams>(reader, *firms, "firms", Scope::firm);
  const toml::node* segments = document.get("segments");
  if (segments == nullptr) reader.fail_file("no [[segments]] tables: at least one segment is needed");
  scenario.segments = read_entities<SegmentParams>(reader, *segments, "segments", Scope::segment);
  if (scenario.firms.size() > 32767) reader.fail(firms->source(), "firms", "at most 32767 firms are supported");
  if (scenario.segments.size() > 255) reader.fail(segments->source(), "segments", "at most 255 segments are supported");

  if (const toml::node* departures = document.get("departures")) {
    const toml::array& tables = reader.array_of_tables(*departures, "departures");
    for (std::size_t i = 0; i < tables.size(); ++i)
      scenario.departures.push_back(departure(reader, *tables[i].as_table(), i, scenario));
  }

  // Shares are checked here, where the array's position is known.
  double total_share = 0.0;
  for (const auto& s : scenario.segments) total_share += s.share;
  if (std::abs(total_share - 1.0) > 1e-9) {
    std::string problem = "segment shares must sum to 1, but";
    for (const auto& s : scenario.segments) problem += " " + s.name + "=" + Reader::format(s.share);
    reader.fail(segments->source(), "segments", problem + " sum to " + Reader::format(total_share));
  }
  validate_scenario(scenario, source);
  return {scenario, read_sweep_table(reader, document, scenario)};
}

Scenario parse_scenario(std::string_view text, const std::string& source) {
  return parse_scenario_text(text, source).scenario;
}

ScenarioFile load_scenario(const std::filesystem::path& path) {
  ScenarioFile file;
  file.path = path;
  file.text = read_input_file(path, max_toml_bytes, "scenario file");
  file.name = path.stem().string();
  ParsedScenario parsed = parse_scenario_text(file.text, path.string());
  file.scenario = std::move(parsed.scenario);
  file.sweep = std::move(parsed.sweep);
  return file;
}

namespace {

// A number as written on the command line: a TOML integer (kept exact) or
// float. Only characters a TOML number can contain are let through to
// toml++, so no option value can nest anything.
struct WrittenNumber {
  bool integer = false;
  std::int64_t whole = 0;
  double real = 0.0;
};

WrittenNumber written_number(std::string_view text, const std::string& option) {
  const std::string not_a_number = option + ": '" + printable(text) + "' is not a number";
  if (text.empty() || text.size() > 100 ||
      text.find_first_not_of("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_+-.") !=
          std::string_view::npos)
    throw InputError(not_a_number);
  toml::table parsed;
  try {
    parsed = toml::parse("value = " + std::string(text));
  } catch (const toml::parse_error&) {
    // Decimal digits that toml++ refuses are an integer beyond int64.
    const std::string_view digits = text.substr(text.front() == '-' || text.front() == '+' ? 1 : 0);
    if (!digits.empty() && digits.find_first_not_of("0123456789_") == std::string_view::npos)
      throw InputError(option + ": value " + std::string(text) +
                       " is beyond the range of 64-bit integers [-9223372036854775808, 9223372036854775807]");
    throw InputError(not_a_number);
  }
  const toml::node* node = parsed.get("value");
  if (node == nullptr) throw InputError(not_a_number);
  if (auto i = node->as_integer()) return {true, i->get(), 0.0};
  if (auto f = node->as_floating_point()) return {false, 0, f->get()};
  throw InputError(not_a_number);
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

WholeNumber whole_from(const WrittenNumber& number, std::int64_t low, std::int64_t high) {
  return number.integer ? whole_number(number.whole, low, high) : whole_number(number.real, low, high);
}

}  // namespace

const std::vector<std::string>& departure_table_keys() { return departure_keys; }

std::uint64_t parse_seed(std::string_view text, const std::string& option) {
  const WholeNumber seed = whole_from(written_number(trimmed(text), option), 0, max_seed);
  if (seed.problem) throw InputError(option + ": " + *seed.problem);
  return static_cast<std::uint64_t>(seed.value);
}

void apply_override(Scenario& scenario, std::string_view assignment) {
  const std::string option = "--set " + printable(assignment, 200);
  const std::size_t equals = assignment.find('=');
  if (equals == std::string_view::npos) throw InputError(option + ": expected PATH=VALUE");
  const std::string_view path = trimmed(assignment.substr(0, equals));
  const std::string_view value_text = trimmed(assignment.substr(equals + 1));

  ParameterTargets resolved;  // one value, or tied (firms.*.NAME): every firm's
  try {
    resolved = resolve_parameter_targets(scenario, path);
  } catch (const InputError& e) {
    throw InputError(option + ": " + printable(e.what(), 400));
  }
  const WrittenNumber number = written_number(value_text, option);
  if (resolved.info == nullptr) {
    scenario.seed = parse_seed(value_text, option);
    return;
  }
  if (resolved.info->kind == ValueKind::integer) {
    const WholeNumber whole = whole_from(number, resolved.info->whole_low(), resolved.info->whole_high());
    if (whole.problem) throw InputError(option + ": " + *whole.problem);
    resolved.set(scenario, static_cast<double>(whole.value));  // exact: the ranges lie within 2^53
    return;
  }
  const double value = number.integer ? static_cast<double>(number.whole) : number.real;
  if (auto problem = resolved.info->check(value))
    throw InputError(option + ": value " + Reader::format(value) + " " + *problem);
  resolved.set(scenario, value);
  if (resolved.info->name == "share") {
    double total = 0.0;
    for (const auto& s : scenario.segments) total += s.share;
    if (std::abs(total - 1.0) > 1e-9)
      throw InputError(option + ": segment shares would sum to " + Reader::format(total) + ", not 1");
  }
}

namespace {

// Every value as TOML reads it back bit for bit: integers as integers,
// reals in their shortest exact form.
void write_parameters(std::ostream& out, Scope scope, const void* owner) {
  for (const ParameterInfo& p : all_parameters()) {
    if (p.scope != scope) continue;
    const double value = p.get(owner);
    out << p.name << " = ";
    if (p.kind == ValueKind::integer) out << static_cast<std::int64_t>(value);  // whole and within 2^31
    else out << toml_double(value);
    out << "\n";
  }
}

}  // namespace

std::string to_toml(const Scenario& scenario) {
  std::ostringstream out;
  out << "seed = " << scenario.seed << "\n\n[market]\n";
  write_parameters(out, Scope::market, &scenario.market);
  for (const auto& firm : scenario.firms) {
    out << "\n[[firms]]\nname = " << toml_string(firm.name) << "\n";
    write_parameters(out, Scope::firm, &firm);
  }
  for (const auto& segment : scenario.segments) {
    out << "\n[[segments]]\nname = " << toml_string(segment.name) << "\n";
    write_parameters(out, Scope::segment, &segment);
  }
  for (const auto& d : scenario.departures) {
    out << "\n[[departures]]\nmonth = " << d.month << "\ncount = " << d.count << "\nfirm = " << toml_string(d.firm)
        << "\nwhich = " << toml_string(d.which) << "\nto = " << toml_string(d.to) << "\n";
  }
  return out.str();
}

std::string scenario_hash(const Scenario& scenario, const std::optional<SweepSpec>& sweep, bool events) {
  const std::string text = to_toml(scenario) + (sweep ? sweep_to_toml(*sweep) : "") + (events ? "events" : "");
  // FNV-1a, 64 bits: stable across platforms and versions, enough to tell
  // scenarios apart (this is an identity check, not a security one).
  std::uint64_t hash = 14695981039346656037ull;
  for (const unsigned char c : text) hash = (hash ^ c) * 1099511628211ull;
  std::ostringstream out;
  out << std::hex << std::setw(16) << std::setfill('0') << hash;
  return out.str();
}

void validate_scenario(const Scenario& scenario, const std::string& source) {
  // The same check make_model and the sweep's check of every point apply.
  try {
    ModelCheck(scenario).rep_capacity(extent_of(scenario));
  } catch (const InputError& e) {
    throw InputError(source + ": " + e.what());
  }
}

}  // namespace loyalsim::io
