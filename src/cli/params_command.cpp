// `loyalsim params`: the parameter registry as a table, so the docs, the
// scenario files and the code cannot drift apart.
#include <iomanip>
#include <iostream>
#include <sstream>

#include <boost/program_options.hpp>

#include "cli/commands.hpp"
#include "core/parameters.hpp"

namespace loyalsim::cli {

int params_command(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  po::options_description options("Usage: loyalsim params [--markdown]\nOptions");
  options.add_options()("help,h", "show this help")("markdown", "print a Markdown table (for docs)");
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(options).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << options << "\n";
    return 0;
  }

  auto format_default = [](const ParameterInfo& p) {
    std::ostringstream out;
    out << p.default_value();
    return out.str();
  };
  const bool markdown = vm.count("markdown") > 0;
  if (markdown) {
    std::cout << "| parameter | default | valid range | unit | meaning |\n|---|---|---|---|---|\n";
  } else {
    std::cout << "Scenario parameters (paths as used by --set; FIRM and SEGMENT are names).\n"
              << "Also: top-level 'seed' (default 1), and names: firms.name, segments.name (required).\n\n";
  }
  Scope current = Scope::market;
  bool first = true;
  for (const ParameterInfo& p : all_parameters()) {
    std::string path = std::string(scope_table_name(p.scope)) + ".";
    if (p.scope == Scope::firm) path += "FIRM.";
    if (p.scope == Scope::segment) path += "SEGMENT.";
    path += p.name;
    if (markdown) {
      std::cout << "| `" << path << "` | " << format_default(p) << " | " << p.range_text() << " | " << p.unit << " | "
                << p.description << " |\n";
      continue;
    }
    if (first || p.scope != current) {
      std::cout << (first ? "" : "\n") << "["
                << (p.scope == Scope::market ? "market"
                    : p.scope == Scope::firm ? "[firms]]"
                                             : "[segments]]")
                << (p.scope == Scope::market ? "]" : "") << "\n";
      current = p.scope;
      first = false;
    }
    std::cout << "  " << std::left << std::setw(44) << path << " default " << std::setw(8) << format_default(p)
              << " range " << std::setw(12) << p.range_text() << " " << p.unit << "\n"
              << "      " << p.description << "\n";
  }
  return 0;
}

}  // namespace loyalsim::cli
