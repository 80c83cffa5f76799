// A column of a structure-of-arrays population: a std::vector whose
// resize() leaves new elements uninitialised. The population is then
// filled by the parallel initialisation loop, so its pages are first
// touched (and zeroed by the kernel) by all threads instead of one.
#pragma once

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

}  // namespace loyalsim
