// The byte counts used for memory estimates and the roofline are derived
// from the column types; this checks them against a real initialised state.
#include <gtest/gtest.h>

#include "core/model.hpp"
#include "core/state.hpp"
#include "core/step.hpp"

namespace loyalsim {
namespace {

TEST(State, CustomerStateBytesIsWhatTheCustomerColumnsHold) {
  Scenario scenario;
  scenario.market.customers = 1000;
  FirmParams firm;
  firm.name = "A";
  scenario.firms = {firm};
  SegmentParams segment;
  segment.name = "s";
  scenario.segments = {segment};
  const Model model = make_model(scenario, 1);
  State state;
  initialise(model, state, false);

  const CustomerArrays& c = state.customers;
  const std::size_t held = c.segment.size() * sizeof(c.segment[0]) + c.firm.size() * sizeof(c.firm[0]) +
                           c.rep.size() * sizeof(c.rep[0]) + c.brand_loyalty.size() * sizeof(c.brand_loyalty[0]) +
                           c.rep_loyalty.size() * sizeof(c.rep_loyalty[0]) +
                           c.stay_marks.size() * sizeof(c.stay_marks[0]) + c.last_stay.size() * sizeof(c.last_stay[0]) +
                           c.next_event.size() * sizeof(c.next_event[0]);
  EXPECT_EQ(held, 1000 * customer_state_bytes);
  // The month step moves less than the whole state (stay marks are rare).
  EXPECT_LT(customer_month_bytes_moved, 2 * customer_state_bytes);
}

}  // namespace
}  // namespace loyalsim
