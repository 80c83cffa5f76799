// events/: one row per departure decision, appended run by run.
#include "io/results_layout.hpp"

#include <cstdint>
#include <string_view>
#include <vector>

namespace loyalsim::io::detail {
namespace {

constexpr hsize_t events_chunk_rows = 65536;
const std::vector<std::int8_t> choice_flag_values{0, 1, 2};
constexpr std::string_view choice_flag_meanings = "stay follow defect";

template <h5::Element T>
h5::Dataset create_event_column(h5::Group& group, std::string_view name, const h5::Dataset& event,
                                std::string_view units, std::string_view description) {
  h5::Dataset column = group.create_dataset(name, h5::Datatype::stored_as<T>(),
                                            h5::Dataspace::simple({0}, {h5::unlimited}),
                                            compressed({events_chunk_rows}));
  describe(column, units, description);
  attach(column, {{"event", event}});
  return column;
}

template <h5::Element T, typename Field>
void append_column(h5::Dataset& column, hsize_t first, const std::vector<DecisionEvent>& events,
                   Field field) {
  std::vector<T> values;
  values.reserve(events.size());
  for (const DecisionEvent& e : events) values.push_back(static_cast<T>(field(e)));
  const hsize_t n = events.size();
  column.extend({first + n});
  column.write(values, {first}, {n});
}

}  // namespace

EventsTable create_events_table(h5::File& file, const ResultsLayout& layout) {
  h5::Group group = file.create_group("events");
  group.write_attribute("description",
                        "one row per departure decision: a customer whose rep left the firm");
  EventsTable t;
  t.event = group.create_dataset("event", h5::Datatype::stored_as<std::int64_t>(),
                                 h5::Dataspace::simple({0}, {h5::unlimited}),
                                 compressed({events_chunk_rows}));
  t.event.make_dimension_scale("event");
  describe(t.event, "1", "row number of the decision in this table");

  t.run = create_event_column<std::int64_t>(group, "run", t.event, "1",
                                            "run of the decision: the row of runs/");
  t.month = create_event_column<std::int32_t>(group, "month", t.event, "1",
                                              "recorded month of the decision, numbered from 1");
  t.customer = create_event_column<std::int32_t>(group, "customer", t.event, "1",
                                                 "customer id within the run");
  t.segment = create_event_column<std::int16_t>(
      group, "segment", t.event, "1", "customer segment: index into segment_names, from 0");
  t.segment.write_attribute("segment_names", layout.segment_names);
  t.rep = create_event_column<std::int32_t>(group, "rep", t.event, "1", "id of the rep who left");
  t.from_firm = create_event_column<std::int16_t>(
      group, "from_firm", t.event, "1", "firm the rep left: index into firm_names, from 0");
  t.from_firm.write_attribute("firm_names", layout.firm_names);
  t.to_firm = create_event_column<std::int16_t>(
      group, "to_firm", t.event, "1",
      "firm of the customer after the decision: index into firm_names, -1 = unattached");
  t.to_firm.write_attribute("firm_names", layout.firm_names);
  t.brand_loyalty = create_event_column<float>(group, "B", t.event, "1",
                                               "brand loyalty B just before the decision");
  t.rep_loyalty = create_event_column<float>(group, "R", t.event, "1",
                                             "rep loyalty R just before the decision");
  t.choice = create_event_column<std::int8_t>(group, "choice", t.event, "1",
                                              "the customer's decision: stay, follow or defect");
  t.choice.write_attribute("flag_values", choice_flag_values);
  t.choice.write_attribute("flag_meanings", choice_flag_meanings);
  return t;
}

void append_events(EventsTable& t, std::int64_t run, const std::vector<DecisionEvent>& events) {
  if (events.empty()) return;
  const hsize_t first = t.rows;
  using E = DecisionEvent;
  append_column<std::int64_t>(t.event, first, events,
                              [row = first](const E&) mutable { return row++; });
  append_column<std::int64_t>(t.run, first, events, [run](const E&) { return run; });
  append_column<std::int32_t>(t.month, first, events, [](const E& e) { return e.month; });
  append_column<std::int32_t>(t.customer, first, events, [](const E& e) { return e.customer; });
  append_column<std::int16_t>(t.segment, first, events, [](const E& e) { return e.segment; });
  append_column<std::int32_t>(t.rep, first, events, [](const E& e) { return e.rep; });
  append_column<std::int16_t>(t.from_firm, first, events, [](const E& e) { return e.from_firm; });
  append_column<std::int16_t>(t.to_firm, first, events, [](const E& e) { return e.to_firm; });
  append_column<float>(t.brand_loyalty, first, events, [](const E& e) { return e.brand_loyalty; });
  append_column<float>(t.rep_loyalty, first, events, [](const E& e) { return e.rep_loyalty; });
  append_column<std::int8_t>(t.choice, first, events,
                             [](const E& e) { return static_cast<std::int8_t>(e.choice); });
  t.rows += events.size();
}

}  // namespace loyalsim::io::detail
