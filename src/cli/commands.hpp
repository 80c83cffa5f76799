// The subcommands of the loyalsim executable. Each returns the exit status
// (0 success, 2 bad input or arguments, 1 anything else) or throws; main()
// maps exceptions to statuses.
#pragma once

#include <string>
#include <vector>

namespace loyalsim::cli {

// argv[0] is the program, args the words after the subcommand name.
int run_command(const std::vector<std::string>& args, const std::string& command_line);
int params_command(const std::vector<std::string>& args);
int calibrate_command(const std::vector<std::string>& args, const std::string& command_line);
int info_command(const std::vector<std::string>& args);
int export_command(const std::vector<std::string>& args);
int analyze_command(const std::vector<std::string>& args, const std::string& command_line);

}  // namespace loyalsim::cli
