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

namespace loyalsim::io {

// Reads one TOML document, remembering where it came from for messages.
class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const toml::source_region& region, std::string_view key, const std::string& problem) const {
    std::ostringstream message;
    message << source_;
    if (region.begin.line > 0) message << ':' << region.begin.line << ':' << region.begin.column;
    message << ": key '" << key << "': " << problem;
    throw InputError(message.str());
  }
  [[noreturn]] void fail_file(const std::string& problem) const { throw InputError(source_ + ": " + problem); }

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

  double number(const toml::node& node, const ParameterInfo& info, const std::string& key) const {
    double value = 0.0;
    if (auto i = node.as_integer()) value = static_cast<double>(i->get());
    else if (auto f = node.as_floating_point()) {
      value = f->get();
      // 1e6 is a fine way to write a million customers; 12.5 months is not.
      if (info.kind == ValueKind::integer && value != std::floor(value))
        fail(node.source(), key, "expected a whole number, found " + format(value));
    } else {
      fail(node.source(), key, std::string("expected a number, found ") + type_name(node));
    }
    if (auto problem = info.check(value)) fail(node.source(), key, "value " + format(value) + " " + *problem);
    return value;
  }

  std::string string(const toml::node& node, const std::string& key) const {
    if (auto s = node.as_string()) return s->get();
    fail(node.source(), key, std::string("expected a string, found ") + type_name(node));
  }

  std::int64_t integer(const toml::node& node, const std::string& key, std::int64_t low, std::int64_t high) const {
    auto i = node.as_integer();
    if (!i) fail(node.source(), key, std::string("expected a whole number, found ") + type_name(node));
    if (i->get() < low || i->get() > high)
      fail(node.source(), key, "value " + std::to_string(i->get()) + " must be in [" + std::to_string(low) + ", " +
                                   std::to_string(high) + "]");
    return i->get();
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

  static std::string format(double value) {
    std::ostringstream out;
    out << value;
    return out.str();
  }

  static const char* type_name(const toml::node& node) {
    switch (node.type()) {
      case toml::node_type::string: return "a string";
      case toml::node_type::integer: return "an integer";
      case toml::node_type::floating_point: return "a floating-point number";
      case toml::node_type::boolean: return "a boolean";
      case toml::node_type::table: return "a table";
      case toml::node_type::array: return "an array";
      default: return "a date or time";
    }
  }

  const std::string& source() const { return source_; }

 private:
  std::string source_;
};

}  // namespace loyalsim::io
