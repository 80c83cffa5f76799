// `loyalsim params [NAME]`: the parameter registry as a table, so the docs,
// the scenario files and the code cannot drift apart, and the keys of the
// other tables a user writes ([sweep], [[departures]], a calibration file).
// NAME filters: a parameter, a path, a table, a section, or part of a name.
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <sstream>

#include <boost/program_options.hpp>

#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "cli/params_keys.hpp"
#include "core/errors.hpp"
#include "core/parameters.hpp"
#include "io/utf8.hpp"

namespace loyalsim::cli {
namespace {

std::string parameter_path(const ParameterInfo& p) {
  std::string path = std::string(scope_table_name(p.scope)) + ".";
  if (p.scope == Scope::firm) path += "FIRM.";
  if (p.scope == Scope::segment) path += "SEGMENT.";
  return path + std::string(p.name);
}

std::string format_default(const ParameterInfo& p) {
  std::ostringstream out;
  out << p.default_value();
  return out.str();
}

// What NAME selects: parameters and keys (all of them without a NAME).
struct Selection {
  std::vector<const ParameterInfo*> parameters;
  std::vector<const KeyDoc*> keys;
  bool empty() const { return parameters.empty() && keys.empty(); }
};

Selection select_all() {
  Selection all;
  for (const ParameterInfo& p : all_parameters()) all.parameters.push_back(&p);
  for (const KeyDoc& k : documented_keys()) all.keys.push_back(&k);
  return all;
}

// A scope named as a table ("firms") or one of its paths' heads.
std::optional<Scope> scope_named(std::string_view word) {
  if (word == "market") return Scope::market;
  if (word == "firms" || word == "firm") return Scope::firm;
  if (word == "segments" || word == "segment") return Scope::segment;
  return std::nullopt;
}

// The filter, from the most exact reading of NAME to the loosest: a
// section or table; a path (market.x, firms.ANY.x, sweep.design); a
// parameter or key name; part of one.
Selection select(std::string_view name) {
  const Selection all = select_all();
  Selection chosen;
  auto keep = [&](auto predicate_parameter, auto predicate_key) {
    for (const ParameterInfo* p : all.parameters)
      if (predicate_parameter(*p)) chosen.parameters.push_back(p);
    for (const KeyDoc* k : all.keys)
      if (predicate_key(*k)) chosen.keys.push_back(k);
    return !chosen.empty();
  };
  const auto none_p = [](const ParameterInfo&) { return false; };
  const auto none_k = [](const KeyDoc&) { return false; };

  std::string bare(name);
  bare.erase(std::remove(bare.begin(), bare.end(), '['), bare.end());
  bare.erase(std::remove(bare.begin(), bare.end(), ']'), bare.end());
  if (keep(none_p, [&](const KeyDoc& k) { return k.section == bare; })) return chosen;
  if (const auto scope = scope_named(bare);
      scope && keep([&](const ParameterInfo& p) { return p.scope == *scope; }, none_k))
    return chosen;

  const std::size_t first_dot = name.find('.'), last_dot = name.rfind('.');
  if (first_dot != std::string_view::npos) {
    const std::string head(name.substr(0, first_dot));
    const std::string_view tail = name.substr(last_dot + 1);
    if (const auto scope = scope_named(head)) {
      // firms.Incumbent.reps, firms.*.reps, firms.FIRM.reps: the firm is not checked here.
      const bool shaped = *scope == Scope::market ? first_dot == last_dot : first_dot != last_dot;
      if (shaped && keep([&](const ParameterInfo& p) { return p.scope == *scope && p.name == tail; }, none_k))
        return chosen;
    }
    if (keep(none_p, [&](const KeyDoc& k) { return k.path() == name; })) return chosen;
  }
  // A name, or (3 letters or more) part of one: "weight" gives every *_weight.
  const auto matches = [&](std::string_view candidate) {
    return candidate == name || (name.size() >= 3 && candidate.find(name) != std::string_view::npos);
  };
  keep([&](const ParameterInfo& p) { return matches(p.name); }, [&](const KeyDoc& k) { return matches(k.key); });
  return chosen;
}

[[noreturn]] void unknown(std::string_view name) {
  std::vector<std::string> candidates{"market", "firms", "segments"};
  for (const ParameterInfo& p : all_parameters()) {
    candidates.emplace_back(p.name);
    candidates.push_back(parameter_path(p));
  }
  for (const KeyDoc& k : documented_keys()) {
    candidates.emplace_back(k.section);
    candidates.emplace_back(k.key);
    candidates.push_back(k.path());
  }
  std::string message = "params " + io::printable(name) + ": no parameter or key of that name";
  const std::string hint = nearest_name(name, candidates);
  if (!hint.empty()) message += " (did you mean '" + hint + "'?)";
  else message += "; run 'loyalsim params' for the full list";
  throw InputError(message);
}

void print_parameters(const std::vector<const ParameterInfo*>& parameters, bool markdown) {
  if (parameters.empty()) return;
  if (markdown) {
    std::cout << "| parameter | default | valid range | unit | meaning |\n|---|---|---|---|---|\n";
    for (const ParameterInfo* p : parameters)
      std::cout << "| `" << parameter_path(*p) << "` | " << format_default(*p) << " | " << p->range_text() << " | "
                << p->unit << " | " << p->description << " |\n";
    return;
  }
  std::cout << "Scenario parameters (paths as used by --set; FIRM and SEGMENT are names, or * for every one).\n"
            << "Also: top-level 'seed' (default 1), and names: firms.name, segments.name (required).\n\n";
  bool first = true;
  Scope current = Scope::market;
  for (const ParameterInfo* p : parameters) {
    if (first || p->scope != current) {
      std::cout << (first ? "" : "\n")
                << (p->scope == Scope::market ? "[market]"
                    : p->scope == Scope::firm ? "[[firms]]"
                                              : "[[segments]]")
                << "\n";
      current = p->scope;
      first = false;
    }
    std::cout << "  " << std::left << std::setw(44) << parameter_path(*p) << " default " << std::setw(8)
              << format_default(*p) << " range " << std::setw(12) << p->range_text() << " " << p->unit << "\n"
              << "      " << p->description << (p->not_sweepable.empty() ? "" : " (not sweepable)") << "\n";
  }
}

void print_keys(const std::vector<const KeyDoc*>& keys, bool markdown, bool after_parameters) {
  if (keys.empty()) return;
  if (markdown) {
    std::cout << (after_parameters ? "\n" : "") << "| key | values | default | meaning |\n|---|---|---|---|\n";
    for (const KeyDoc* k : keys)
      std::cout << "| `" << k->path() << "` | " << k->values << " | " << k->default_value << " | " << k->meaning
                << " |\n";
    return;
  }
  std::string_view section;
  bool first = !after_parameters;
  for (const KeyDoc* k : keys) {
    if (k->section != section) {
      std::cout << (first ? "" : "\n") << section_heading(k->section) << "\n";
      section = k->section;
      first = false;
    }
    std::cout << "  " << std::left << std::setw(36) << k->path() << " " << k->values;
    if (!k->default_value.empty()) std::cout << "  (default " << k->default_value << ")";
    std::cout << "\n      " << k->meaning << "\n";
  }
}

}  // namespace

int params_command(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  po::options_description options(
      "Usage: loyalsim params [NAME] [--markdown]\n"
      "Lists every scenario parameter (meaning, unit, default, valid range) and the keys of\n"
      "[sweep], [[departures]] and calibration files. NAME shows only what it names: a\n"
      "parameter (non_solicit), a path (firms.Incumbent.non_solicit, firms.*.non_solicit),\n"
      "a table (market, firms, segments), a section (sweep, departures, calibration), a key\n"
      "(sweep.design), or part of a name (weight).\nOptions");
  options.add_options()("help,h", "show this help")("markdown", "print Markdown tables (for docs)");
  const po::variables_map vm = parse_command_line(args, options, "name");
  if (vm.count("help")) {
    std::cout << options << "\n";
    return 0;
  }
  const bool markdown = vm.count("markdown") > 0;
  if (!vm.count("name")) {
    // The registry's table alone, as docs/MODEL.md carries it; the keys after it.
    const Selection everything = select_all();
    print_parameters(everything.parameters, markdown);
    if (!markdown) print_keys(everything.keys, false, true);
    return 0;
  }
  const std::string name = vm["name"].as<std::string>();
  const Selection chosen = select(name);
  if (chosen.empty()) unknown(name);
  print_parameters(chosen.parameters, markdown);
  print_keys(chosen.keys, markdown, !chosen.parameters.empty());
  return 0;
}

}  // namespace loyalsim::cli
