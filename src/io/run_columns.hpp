// The one list of the columns of runs/: one row per member of RunRecord
// (io/results_file.hpp) but two, `run` (the row number, runs/run, the
// dimension scale) and `parameter_values` (one column per varied parameter,
// named by ResultsLayout::varied_parameters). The runs/ layout and writer
// (io/results_layout.cpp), the names a varied parameter may not take
// (io/results_file.cpp) and the run journal's encoding (io/run_journal.cpp)
// walk it, and static_asserts tie it to the struct: a new runs/ column is one
// member of RunRecord, one row below, and the code that fills it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "core/field_count.hpp"
#include "core/flag_meanings.hpp"
#include "io/results_file.hpp"

namespace loyalsim::io {

// What an unwritten run's cell reads as: nothing set (the type's zero, as
// runs/status: 0 = pending), or the count or real fill of results_layout.cpp
// (-1, NaN).
enum class RunFill { none, count, real };

template <class Member, class Stored>
struct RunColumn {
  using member_type = Member;
  using stored_type = Stored;  // element type of the dataset runs/<name>
  std::string_view name;
  Member RunRecord::*member;
  std::string_view units;
  std::string_view description;
  RunFill fill;
  // A flag column (an enum member): the meanings of values 0, 1, ...,
  // space-separated (netCDF flag_values, flag_meanings); else empty.
  std::string_view flag_meanings;
  // If not empty: a companion column of this name holding the value as
  // decimal text, described by text_description.
  std::string_view text_name;
  std::string_view text_description;
};

template <class Stored, class Member>
constexpr RunColumn<Member, Stored> run_column(std::string_view name, Member RunRecord::*member, std::string_view units,
                                               std::string_view description, RunFill fill = RunFill::none,
                                               std::string_view flag_meanings = {}, std::string_view text_name = {},
                                               std::string_view text_description = {}) {
  return {name, member, units, description, fill, flag_meanings, text_name, text_description};
}

inline constexpr std::string_view run_index_name = "run";  // RunRecord::run: the dimension scale

inline constexpr auto run_columns = std::make_tuple(
    run_column<std::int64_t>("point", &RunRecord::point, "1", "design point of the sweep (0 for a single run)"),
    run_column<std::int64_t>("replicate", &RunRecord::replicate, "1", "replicate of the design point, from 0"),
    // R has no unsigned 64-bit integer: rhdf5 and hdf5r read a seed of 2^63
    // or more (about half of them) as NA or clamped. The same seeds as
    // decimal text read exactly in every tool; runs/seed stays the number.
    run_column<std::uint64_t>("seed", &RunRecord::seed, "1", "seed of the run's random streams", RunFill::none, {},
                              "seed_text",
                              "seed of the run's random streams as decimal text (the value of seed), "
                              "for readers without unsigned 64-bit integers such as R"),
    // No fill: pending (0) is the HDF5 fill, and masking it would hide it.
    run_column<std::int8_t>("status", &RunRecord::status, "1", "state of the run: pending, done or failed",
                            RunFill::none, "pending done failed"),
    // "s", not "seconds": xarray would turn a "seconds" column into timedeltas.
    run_column<double>("wall_seconds", &RunRecord::wall_seconds, "s", "wall-clock time the run took", RunFill::real),
    run_column<std::int64_t>("scripted_shortfall", &RunRecord::scripted_shortfall, "reps",
                             "scripted departures that could not happen because the firm had too few active reps",
                             RunFill::count));

inline constexpr std::size_t run_column_count = std::tuple_size_v<decltype(run_columns)>;

// Calls visit(column) for each entry of run_columns, in list order.
template <class Visit>
constexpr void for_each_run_column(Visit&& visit) {
  std::apply([&](const auto&... column) { (visit(column), ...); }, run_columns);
}

// Calls visit(name) for every fixed runs/ dataset name (the index, each
// column and its text companion): names a varied parameter may not take.
template <class Visit>
constexpr void for_each_fixed_run_name(Visit&& visit) {
  visit(run_index_name);
  for_each_run_column([&](const auto& column) {
    visit(column.name);
    if (!column.text_name.empty()) visit(column.text_name);
  });
}

namespace detail {
struct RunIndexMember {
  std::int64_t RunRecord::*member = &RunRecord::run;
};
template <class A, class B>
constexpr bool same_run_member(const A& a, const B& b) {
  if constexpr (std::is_same_v<decltype(a.member), decltype(b.member)>) return a.member == b.member;
  else return false;
}
constexpr bool run_columns_well_formed() {
  bool ok = true;
  for_each_run_column([&](const auto& a) {
    using Member = typename std::remove_cvref_t<decltype(a)>::member_type;
    ok = ok && !a.name.empty() && !a.units.empty() && !a.description.empty() &&
         a.text_name.empty() == a.text_description.empty() &&
         std::is_enum_v<Member> == (flag_count(a.flag_meanings) > 0) && !same_run_member(a, RunIndexMember{});
    // Reals fill with NaN, counts with -1; only integers have a decimal text.
    using Stored = typename std::remove_cvref_t<decltype(a)>::stored_type;
    ok = ok &&
         (a.fill != RunFill::real || std::is_floating_point_v<Stored>)&&(
             a.fill != RunFill::count || (std::is_integral_v<Stored> && std::is_signed_v<Stored>)) &&
         (a.text_name.empty() || std::is_integral_v<Member>);
    std::size_t members = 0;
    for_each_run_column([&](const auto& b) {
      if (same_run_member(a, b)) ++members;
    });
    std::size_t names = 0;
    for_each_fixed_run_name([&](std::string_view name) {
      if (name == a.name) ++names;
    });
    ok = ok && members == 1 && names == 1;
  });
  return ok;
}
}  // namespace detail

// RunRecord's members: `run`, `parameter_values` and one per row.
static_assert(loyalsim::detail::field_count<RunRecord>() == run_column_count + 2,
              "every member of RunRecord (but run and parameter_values) needs its row in run_columns");
static_assert(detail::run_columns_well_formed(),
              "run_columns repeats a member or a name, lacks a description, or has a flag, fill or text that its type "
              "cannot have");

}  // namespace loyalsim::io
