// The words after a subcommand, parsed the one way every command parses
// them: its visible options, plus one positional argument (the scenario,
// results or calibration file, or a name) that --help does not list.
#pragma once

#include <string>
#include <vector>

#include <boost/program_options.hpp>

namespace loyalsim::cli {

// Throws boost::program_options errors for unknown or malformed options
// (main() reports them as bad input, exit 2).
boost::program_options::variables_map parse_command_line(const std::vector<std::string>& args,
                                                         const boost::program_options::options_description& options,
                                                         const char* positional_name);

}  // namespace loyalsim::cli
