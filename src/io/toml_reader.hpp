// Reading values out of a parsed TOML document with messages that name the
// file, line, column and key. Shared by the scenario and sweep readers.
#pragma once

#include <cmath>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "core/errors.hpp"
#include "core/parameters.hpp"
#include "io/utf8.hpp"

namespace loyalsim::io {

// Reads one TOML document, remembering where it came from for messages.
class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  // Keys and problems may quote user text (a key, a name, a string value):
  // it is shown escaped and shortened, so the message stays one short line.
  [[noreturn]] void fail(const toml::source_region& region, std::string_view key, const std::string& problem) const {
    std::ostringstream message;
    message << printable(source_, 400);
    if (region.begin.line > 0) message << ':' << region.begin.line << ':' << region.begin.column;
    message << ": key '" << printable(key, 200) << "': " << printable(problem, 600);
    throw InputError(message.str());
  }
  [[noreturn]] void fail_file(const std::string& problem) const {
    throw InputError(printable(source_, 400) + ": " + printable(problem, 600));
  }

  // `prefix` makes the key a full path in the message ("market.customrs").
  [[noreturn]] void unknown_key(const toml::key& key, const std::string& context, std::vector<std::string> valid,
                                const std::string& prefix = "") const {
    std::string problem = "unknown key in " + context;
    const std::string hint = nearest_name(key.str(), valid);
    if (!hint.empty()) problem += " (did you mean '" + hint + "'?)";
    else {
      problem += "; valid keys:";
      for (const auto& v : valid) problem += " " + v;
    }
    fail(key.source(), prefix + std::string(key.str()), problem);
  }

  // A parameter's value. Integer parameters go through integer(): exact,
  // range-checked before any conversion; 1e6 is a fine way to write a
  // million customers, 12.5 months is not.
  double number(const toml::node& node, const ParameterInfo& info, const std::string& key) const {
    if (!node.is_integer() && !node.is_floating_point())
      fail(node.source(), key, std::string("expected a number, found ") + type_name(node));
    if (info.kind == ValueKind::integer)
      return static_cast<double>(integer(node, key, info.whole_low(), info.whole_high()));
    const double value =
        node.is_integer() ? static_cast<double>(node.as_integer()->get()) : node.as_floating_point()->get();
    if (auto problem = info.check(value)) fail(node.source(), key, "value " + format(value) + " " + *problem);
    return value;
  }

  std::string string(const toml::node& node, const std::string& key) const {
    if (auto s = node.as_string()) return s->get();
    fail(node.source(), key, std::string("expected a string, found ") + type_name(node));
  }

  // A whole number in [low, high]: a TOML integer exactly, or a float that
  // is whole and exact (see whole_number).
  std::int64_t integer(const toml::node& node, const std::string& key, std::int64_t low, std::int64_t high) const {
    WholeNumber whole;
    if (auto i = node.as_integer()) whole = whole_number(i->get(), low, high);
    else if (auto f = node.as_floating_point()) whole = whole_number(f->get(), low, high);
    else fail(node.source(), key, std::string("expected a whole number, found ") + type_name(node));
    if (whole.problem) fail(node.source(), key, *whole.problem);
    return whole.value;
  }

  const toml::table& table(const toml::node& node, const std::string& key) const {
    if (auto t = node.as_table()) return *t;
    fail(node.source(), key, std::string("expected a table, found ") + type_name(node));
  }

  const toml::array& array_of_tables(const toml::node& node, const std::string& key) const {
    auto a = node.as_array();
    if (!a || !a->is_array_of_tables())
      fail(node.source(), key, "expected an array of tables ([[" + key + "]] sections)");
    return *a;
  }

  // Fills one market, firm or segment from its table.
  void parameters(const toml::table& table, Scope scope, void* owner, const std::string& prefix) const {
    std::vector<std::string> valid = parameter_names(scope);
    if (scope != Scope::market) valid.insert(valid.begin(), "name");
    for (auto&& [key, node] : table) {
      const std::string path = prefix + "." + std::string(key.str());
      if (scope != Scope::market && key.str() == "name") continue;
      const ParameterInfo* info = find_parameter(scope, key.str());
      if (info == nullptr) unknown_key(key, "[" + prefix + "]", valid, prefix + ".");
      info->set(owner, number(node, *info, path));
    }
  }

  static std::string format(double value) { return shortest_text(value); }

  static const char* type_name(const toml::node& node) {
    switch (node.type()) {
      case toml::node_type::string:
        return "a string";
      case toml::node_type::integer:
        return "an integer";
      case toml::node_type::floating_point:
        return "a floating-point number";
      case toml::node_type::boolean:
        return "a boolean";
      case toml::node_type::table:
        return "a table";
      case toml::node_type::array:
        return "an array";
      default:
        return "a date or time";
    }
  }

  const std::string& source() const { return source_; }

 private:
  std::string source_;
};

}  // namespace loyalsim::io
