// The customers' state, in structure-of-arrays form, and the one list of its
// columns. Allocation and first touch (initialise), the byte counts of the
// memory estimate and the roofline, and the state's measured size all walk
// customer_columns, and a static_assert ties that list to the struct: a new
// column is one member below plus one row in the list (docs/MODEL.md
// section 2, "Customer", documents each column).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <tuple>
#include <type_traits>

#include "core/column.hpp"
#include "core/model.hpp"

namespace loyalsim {

inline constexpr std::int16_t no_stay = INT16_MIN;     // last_stay before any stay
inline constexpr std::uint16_t no_event = UINT16_MAX;  // next_event: none within the run

// retained_12m_after_stay (docs/MODEL.md section 8, "What is recorded"): a
// stay decision at month t is broken by leaving the firm in months
// t..t + stay_window. stay_marks keeps one bit per month of that window.
inline constexpr std::int64_t stay_window = 12;
inline constexpr std::uint32_t stay_marks_mask = (1u << (stay_window + 1)) - 1u;  // bits 0..stay_window
// Shifting the marks by this many months (or more) clears every bit.
inline constexpr std::int64_t stay_marks_bits = std::numeric_limits<std::uint16_t>::digits;
static_assert(stay_window < stay_marks_bits, "the stay window must fit in stay_marks");

struct CustomerArrays {
  Column<std::uint8_t> segment;  // segment index (customers)
  Column<std::int16_t> firm;     // firm index; no_firm = unattached (customers)
  Column<std::int32_t> rep;      // serving rep slot; no_rep = unserved or unattached (customers)
  Column<float> brand_loyalty;   // B in [0,1] (customers)
  Column<float> rep_loyalty;     // R in [0,1] (customers)
  // For retained_12m_after_stay: bit i set = a counted stay decision at month
  // last_stay - i (i <= stay_window) at the current firm, not yet broken.
  Column<std::uint16_t> stay_marks;  // (customers)
  Column<std::int16_t> last_stay;    // month of the latest counted stay; no_stay (customers)
  // Step of the customer's next candidate event: churn while attached,
  // acquisition while unattached; no_event if none before the run ends.
  Column<std::uint16_t> next_event;  // (customers)
  // For the book revenue DiD: the recorded month from whose end the customer
  // has been attached to its firm without a break (initial_attached_since,
  // core/book_did.hpp, if from the start); meaningless while unattached.
  Column<std::int16_t> attached_since;  // (customers)

  std::size_t size() const { return segment.size(); }
};

// How much of a column the month step streams through memory per customer:
// `rare` columns are touched only at rare events, `read` ones are read
// every month, `read_write` ones are also written back every month.
enum class MonthTraffic : std::size_t { rare = 0, read = 1, read_write = 2 };

template <class T>
struct CustomerColumn {
  using value_type = T;
  Column<T> CustomerArrays::*member;
  T initial;  // every customer's value before its initial draws
  MonthTraffic traffic;
};

template <class T>
constexpr CustomerColumn<T> customer_column(Column<T> CustomerArrays::*member, T initial, MonthTraffic traffic) {
  return {member, initial, traffic};
}

// The one list of customer columns.
inline constexpr auto customer_columns =
    std::make_tuple(customer_column(&CustomerArrays::segment, std::uint8_t{0}, MonthTraffic::read),
                    customer_column(&CustomerArrays::firm, no_firm, MonthTraffic::read),
                    customer_column(&CustomerArrays::rep, no_rep, MonthTraffic::read),
                    customer_column(&CustomerArrays::brand_loyalty, 0.0f, MonthTraffic::read_write),
                    customer_column(&CustomerArrays::rep_loyalty, 0.0f, MonthTraffic::read_write),
                    customer_column(&CustomerArrays::stay_marks, std::uint16_t{0}, MonthTraffic::rare),
                    customer_column(&CustomerArrays::last_stay, no_stay, MonthTraffic::rare),
                    customer_column(&CustomerArrays::next_event, no_event, MonthTraffic::read),
                    customer_column(&CustomerArrays::attached_since, std::int16_t{0}, MonthTraffic::rare));

inline constexpr std::size_t customer_column_count = std::tuple_size_v<decltype(customer_columns)>;

// Calls visit(column) for each entry of customer_columns, in list order.
template <class Visit>
constexpr void for_each_customer_column(Visit&& visit) {
  std::apply([&](const auto&... column) { (visit(column), ...); }, customer_columns);
}

namespace detail {
template <class A, class B>
constexpr bool same_member(const A& a, const B& b) {
  if constexpr (std::is_same_v<decltype(a.member), decltype(b.member)>) return a.member == b.member;
  else return false;
}
// Each entry names a different member (it equals only itself).
constexpr bool customer_columns_distinct() {
  bool distinct = true;
  for_each_customer_column([&](const auto& a) {
    std::size_t matches = 0;
    for_each_customer_column([&](const auto& b) {
      if (same_member(a, b)) ++matches;
    });
    distinct = distinct && matches == 1;
  });
  return distinct;
}
}  // namespace detail

// The list covers every member: as many distinct entries as the struct has
// columns (every Column<T> has the same size, three pointers). A member
// added to CustomerArrays without a row in the list fails here.
static_assert(detail::customer_columns_distinct(), "customer_columns names a member twice");
static_assert(sizeof(CustomerArrays) == customer_column_count * sizeof(Column<std::uint8_t>),
              "every member of CustomerArrays needs its row in customer_columns");

// Bytes of agent state per customer, and what the month step streams
// through memory per customer-month: both summed over the list.
constexpr std::size_t customer_bytes(bool moved_per_month) {
  std::size_t bytes = 0;
  for_each_customer_column([&](const auto& column) {
    using T = typename std::remove_cvref_t<decltype(column)>::value_type;
    bytes += sizeof(T) * (moved_per_month ? static_cast<std::size_t>(column.traffic) : 1);
  });
  return bytes;
}
inline constexpr std::size_t customer_state_bytes = customer_bytes(false);
inline constexpr std::size_t customer_month_bytes_moved = customer_bytes(true);

// Bytes the customer columns of `c` hold (their capacity).
inline std::size_t customer_bytes_held(const CustomerArrays& c) {
  std::size_t bytes = 0;
  for_each_customer_column([&](const auto& column) {
    const auto& data = c.*column.member;
    bytes += data.capacity() * sizeof(data[0]);
  });
  return bytes;
}

}  // namespace loyalsim
