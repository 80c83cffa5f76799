// Checks customer_state_bytes against what initialise really allocates, measured
// without the list of customer columns: the bytes allocated grow by exactly
// customer_state_bytes per added customer. A column that initialise
// allocates but the list (and so the byte count) leaves out, or the
// reverse, changes the slope.
//
// Its own executable: it replaces the global operator new and delete, which
// would otherwise take the sanitizers' new/delete mismatch checks away from
// every other core test.
#include <gtest/gtest.h>

#include <cstdlib>
#include <new>

#include "core/model.hpp"
#include "core/state.hpp"
#include "core/step.hpp"

namespace {

// Bytes allocated through operator new by the thread that set `counting`.
thread_local bool counting = false;
thread_local std::size_t counted_bytes = 0;

void* counted_new(std::size_t size) noexcept {
  if (counting) counted_bytes += size;
  return std::malloc(size == 0 ? 1 : size);
}

void* counted_new_or_throw(std::size_t size) {
  if (void* p = counted_new(size)) return p;
  throw std::bad_alloc();
}

}  // namespace

// Replaced for the whole test binary; they only count while a test asks.
// Every replaceable form without alignment (the aligned forms stay the
// library's, allocating and freeing among themselves).
void* operator new(std::size_t size) { return counted_new_or_throw(size); }
void* operator new[](std::size_t size) { return counted_new_or_throw(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return counted_new(size); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return counted_new(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

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

std::size_t bytes_initialise_allocates(std::int64_t customers) {
  const Model model = model_with(customers);
  State state;
  counted_bytes = 0;
  counting = true;
  initialise(model, state, false);
  counting = false;
  return counted_bytes;
}

TEST(State, EachCustomerAddsExactlyCustomerStateBytesOfAllocation) {
  bytes_initialise_allocates(10);  // the thread pool's one-time allocations
  const std::size_t small = bytes_initialise_allocates(1000);
  const std::size_t large = bytes_initialise_allocates(3000);
  ASSERT_GT(large, small);
  EXPECT_EQ(large - small, 2000 * customer_state_bytes);
}

}  // namespace
}  // namespace loyalsim
