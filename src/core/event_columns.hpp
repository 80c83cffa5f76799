// The one list of the columns of events/: one row per member of
// DecisionEvent, in the table's order. The HDF5 layout and writer
// (io/events_table.cpp) and the run journal's encoding (io/run_journal.cpp)
// walk it, and static_asserts tie it to the struct: a new event column is
// one member of DecisionEvent (core/run_result.hpp), one row below, and the
// code that computes it (core/step.cpp). events/event (the row number) and
// events/run are not members: events_table.cpp adds them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "core/field_count.hpp"
#include "core/flag_meanings.hpp"
#include "core/run_result.hpp"

namespace loyalsim {

// An index column carries, as an attribute, the names it indexes.
enum class IndexNames { none, segment_names, firm_names };

template <class Member, class Stored>
struct EventColumn {
  using member_type = Member;
  using stored_type = Stored;  // element type of the dataset events/<name>
  std::string_view name;
  Member DecisionEvent::*member;
  std::string_view units;
  std::string_view description;
  IndexNames names;
  // A flag column: the meanings of its values 0, 1, 2, ..., space-separated
  // (netCDF flag_values and flag_meanings); empty for other columns. The
  // journal refuses a value without a meaning.
  std::string_view flag_meanings;
};

template <class Stored, class Member>
constexpr EventColumn<Member, Stored> event_column(std::string_view name, Member DecisionEvent::*member,
                                                   std::string_view units, std::string_view description,
                                                   IndexNames names = IndexNames::none,
                                                   std::string_view flag_meanings = {}) {
  return {name, member, units, description, names, flag_meanings};
}

inline constexpr auto event_columns = std::make_tuple(
    event_column<std::int32_t>("month", &DecisionEvent::month, "1", "recorded month of the decision, numbered from 1"),
    event_column<std::int32_t>("customer", &DecisionEvent::customer, "1", "customer id within the run"),
    event_column<std::int16_t>("segment", &DecisionEvent::segment, "1",
                               "customer segment: index into segment_names, from 0", IndexNames::segment_names),
    event_column<std::int32_t>("rep", &DecisionEvent::rep, "1", "id of the rep who left"),
    event_column<std::int16_t>("from_firm", &DecisionEvent::from_firm, "1",
                               "firm the rep left: index into firm_names, from 0", IndexNames::firm_names),
    event_column<std::int16_t>("to_firm", &DecisionEvent::to_firm, "1",
                               "firm of the customer after the decision: index into firm_names, -1 = unattached",
                               IndexNames::firm_names),
    event_column<std::int16_t>("destination", &DecisionEvent::destination, "1",
                               "firm the departing rep joined: index into firm_names, -1 = the rep left the industry",
                               IndexNames::firm_names),
    event_column<std::int8_t>("barred", &DecisionEvent::barred, "1",
                              "1 = non-solicit barred the departure (the rep joined a competitor but could not "
                              "be followed), 0 = not barred; following was possible iff destination >= 0 and "
                              "barred = 0"),
    event_column<float>("B", &DecisionEvent::brand_loyalty, "1", "brand loyalty B just before the decision"),
    event_column<float>("R", &DecisionEvent::rep_loyalty, "1", "rep loyalty R just before the decision"),
    event_column<std::int8_t>("choice", &DecisionEvent::choice, "1", "the customer's decision: stay, follow or defect",
                              IndexNames::none, "stay follow defect"));

inline constexpr std::size_t event_column_count = std::tuple_size_v<decltype(event_columns)>;

// Calls visit(column) for each entry of event_columns, in list order.
template <class Visit>
constexpr void for_each_event_column(Visit&& visit) {
  std::apply([&](const auto&... column) { (visit(column), ...); }, event_columns);
}

// Bytes of one event's members, packed (the journal's encoding).
constexpr std::size_t event_member_bytes() {
  std::size_t bytes = 0;
  for_each_event_column(
      [&](const auto& column) { bytes += sizeof(typename std::remove_cvref_t<decltype(column)>::member_type); });
  return bytes;
}

namespace detail {
template <class A, class B>
constexpr bool same_event_member(const A& a, const B& b) {
  if constexpr (std::is_same_v<decltype(a.member), decltype(b.member)>) return a.member == b.member;
  else return false;
}
// Each row names a different member and a different, described dataset.
constexpr bool event_columns_distinct() {
  bool distinct = true;
  for_each_event_column([&](const auto& a) {
    distinct = distinct && !a.name.empty() && !a.units.empty() && !a.description.empty() && a.name != "event" &&
               a.name != "run";
    std::size_t members = 0, names = 0;
    for_each_event_column([&](const auto& b) {
      if (same_event_member(a, b)) ++members;
      if (a.name == b.name) ++names;
    });
    distinct = distinct && members == 1 && names == 1;
  });
  return distinct;
}
// A flag column stores an enum; its stored type holds every flag value.
constexpr bool flag_columns_are_enums() {
  bool ok = true;
  for_each_event_column([&](const auto& column) {
    using Member = typename std::remove_cvref_t<decltype(column)>::member_type;
    ok = ok && (std::is_enum_v<Member> == (flag_count(column.flag_meanings) > 0));
  });
  return ok;
}
}  // namespace detail

// The list covers every member of DecisionEvent: as many distinct rows as
// the struct has members, and (a second guard) the members' bytes fill the
// struct up to its alignment padding.
static_assert(detail::event_columns_distinct(), "event_columns repeats a member or a name, or lacks a description");
static_assert(detail::field_count<DecisionEvent>() == event_column_count,
              "every member of DecisionEvent needs its row in event_columns");
static_assert(event_member_bytes() <= sizeof(DecisionEvent) &&
                  sizeof(DecisionEvent) - event_member_bytes() < alignof(DecisionEvent),
              "every member of DecisionEvent needs its row in event_columns");
static_assert(detail::flag_columns_are_enums(), "a flag column is an enum member, and an enum member is a flag column");

}  // namespace loyalsim
