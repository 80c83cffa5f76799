// Arrays of the agent state. A column of a structure-of-arrays population
// is a std::vector whose resize() leaves new elements uninitialised: the
// population is then filled by the parallel initialisation loop, so its
// pages are first touched (and zeroed by the kernel) by all threads instead
// of one.
#pragma once

#include <cassert>
#include <concepts>
#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

namespace loyalsim {

template <class T>
struct default_init_allocator : std::allocator<T> {
  using std::allocator<T>::allocator;
  template <class U>
  struct rebind {
    using other = default_init_allocator<U>;
  };
  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;  // default-initialisation: no zeroing
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

template <class T>
using Column = std::vector<T, default_init_allocator<T>>;

// Ids are signed (firm, rep slot: -1 means none) but index arrays. Where an
// id indexes, the "none" case has been tested first, so the id is >= 0; this
// is the one place that converts, and checks that in debug builds. The core
// builds with -Wsign-conversion, so a forgotten conversion is a warning.
template <std::signed_integral Id>
constexpr std::size_t as_index(Id id) {
  assert(id >= 0);
  return static_cast<std::size_t>(id);
}

// An array indexed by signed ids (rep slots, firms): operator[] takes an id
// and converts it with as_index, so code indexing by id needs no cast.
template <class T>
struct IdVector : std::vector<T> {
  using std::vector<T>::vector;
  using std::vector<T>::operator[];
  template <std::signed_integral Id>
  T& operator[](Id id) {
    return std::vector<T>::operator[](as_index(id));
  }
  template <std::signed_integral Id>
  const T& operator[](Id id) const {
    return std::vector<T>::operator[](as_index(id));
  }
};

}  // namespace loyalsim
