// The byte counts used for memory estimates and the roofline are summed over
// the list of customer columns (core/customers.hpp); static_asserts there tie
// the list to CustomerArrays. These tests check the columns initialise
// sizes and fills through the list; test_state_allocation.cpp measures the
// allocation without it.
#include <gtest/gtest.h>

#include "core/model.hpp"
#include "core/simulate.hpp"
#include "core/state.hpp"
#include "core/step.hpp"

namespace loyalsim {
namespace {

Model model_with(std::int64_t customers) {
  Scenario scenario;
  scenario.market.customers = customers;
  FirmParams firm;
  firm.name = "A";
  scenario.firms = {firm};
  SegmentParams segment;
  segment.name = "s";
  scenario.segments = {segment};
  return make_model(scenario, 1);
}

// The state size a run reports counts every customer column, at its size.
TEST(State, CustomerColumnsHoldCustomerStateBytesPerCustomer) {
  const Model model = model_with(1000);
  State state;
  initialise(model, state, false);
  EXPECT_EQ(customer_bytes_held(state.customers), 1000 * customer_state_bytes);
  for_each_customer_column([&](const auto& column) { EXPECT_EQ((state.customers.*column.member).size(), 1000u); });
  EXPECT_GE(simulate(model, {}).state_bytes, 1000 * customer_state_bytes);
}

// The memory estimate covers the state a run reports holding: the rep-slot
// bound (rep_slot_bytes_bound) covers every slot-sized array.
TEST(State, RunMemoryEstimateCoversTheStateHeld) {
  for (const std::int64_t customers : {0, 1000}) {
    const Model model = model_with(customers);
    const std::size_t customer_part = static_cast<std::size_t>(customers) * customer_state_bytes;
    const std::size_t held = simulate(model, {}).state_bytes;
    const std::size_t slots = static_cast<std::size_t>(model.rep_capacity);
    EXPECT_LE(held - customer_part, slots * rep_slot_bytes_bound + 64 * model.firms());
  }
}

// Every customer starts at its column's initial value unless drawn: with no
// reps nobody is attached, so only the segment and the first wait are drawn.
TEST(State, UndrawnColumnsStartAtTheirListedInitialValue) {
  Scenario scenario;
  scenario.market.customers = 100;
  FirmParams firm;
  firm.name = "A";
  firm.reps = 0;
  scenario.firms = {firm};
  SegmentParams segment;
  segment.name = "s";
  scenario.segments = {segment};
  const Model model = make_model(scenario, 1);
  State state;
  initialise(model, state, false);
  const CustomerArrays& c = state.customers;
  for (std::size_t i = 0; i < c.size(); ++i) {
    EXPECT_EQ(c.firm[i], no_firm);
    EXPECT_EQ(c.rep[i], no_rep);
    EXPECT_EQ(c.brand_loyalty[i], 0.0f);
    EXPECT_EQ(c.rep_loyalty[i], 0.0f);
    EXPECT_EQ(c.stay_marks[i], 0);
    EXPECT_EQ(c.last_stay[i], no_stay);
  }
}

// The month step streams less than twice the state (stay marks are rare),
// and at least every column it reads.
TEST(State, MonthTrafficIsBetweenTheStateAndTwiceIt) {
  EXPECT_LT(customer_month_bytes_moved, 2 * customer_state_bytes);
  EXPECT_GT(customer_month_bytes_moved, customer_state_bytes / 2);
}

}  // namespace
}  // namespace loyalsim
