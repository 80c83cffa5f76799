// The number of members of a plain aggregate, for static_asserts that tie a
// struct to the one list of its columns: a member added to the struct
// without its row in the list then fails to compile. (sizeof alone misses a
// member that fits in the struct's tail padding.)
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

namespace loyalsim::detail {

// Converts to anything: T{AnyField{}, ...} compiles while there are no more
// initialisers than T has members.
struct AnyField {
  template <class T>
  constexpr operator T() const noexcept;  // only named in unevaluated contexts
};

template <class T, std::size_t... I>
constexpr bool initialisable_with(std::index_sequence<I...>) {
  return requires { T{(static_cast<void>(I), AnyField{})...}; };
}

template <class T, std::size_t N = 0>
constexpr std::size_t field_count() {
  if constexpr (initialisable_with<T>(std::make_index_sequence<N + 1>{})) return field_count<T, N + 1>();
  else return N;
}

}  // namespace loyalsim::detail
