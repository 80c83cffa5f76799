// The [sweep] table of a scenario (docs/SWEEPS.md, "Writing a sweep"):
// which parameters vary, over what design, with how many replicates. Read
// by io/scenario_file, expanded into design points by sweep/design.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace loyalsim {

enum class DesignType { grid, list, lhs, sobol };

inline const char* design_name(DesignType type) {
  switch (type) {
    case DesignType::grid: return "grid";
    case DesignType::list: return "list";
    case DesignType::lhs: return "lhs";
    case DesignType::sobol: return "sobol";
  }
  return "";
}

struct SweepParameter {
  std::string path;            // e.g. "market.substitutability"
  std::vector<double> values;  // grid: the values; list: one value per point
  double low = 0.0;            // lhs, sobol: the range [low, high]
  double high = 0.0;
  bool integer = false;        // the parameter takes whole numbers: sampled values are rounded
};

struct SweepSpec {
  DesignType design = DesignType::grid;
  std::int64_t replicates = 1;
  std::int64_t samples = 0;                // lhs, sobol: number of points
  std::vector<SweepParameter> parameters;  // in the order written in the file
};

}  // namespace loyalsim
