// The core's only use of threads, in one place: a loop over index ranges
// that may run in parallel, and one value per worker. Native builds use
// oneTBB. A build that defines LOYALSIM_SERIAL=1 (the WebAssembly page,
// SPEC section 9, where there are no threads to use) runs the very same
// month step on one thread: the choice is made here, at build time, so the
// model code has no second copy. Results do not depend on the choice: the
// per-worker tallies hold integers merged by addition, and the decision
// log is sorted by customer after the merge.
#pragma once

#include <cstddef>
#include <utility>

#if LOYALSIM_SERIAL
#include <functional>
#include <optional>
#else
#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#endif

namespace loyalsim {

// Calls body(begin, end) on consecutive ranges covering [0, n), of about
// `grain` indices each (native builds: concurrently, in any order).
template <class Body>
void for_each_range(std::size_t n, std::size_t grain, const Body& body) {
#if LOYALSIM_SERIAL
  for (std::size_t begin = 0; begin < n; begin += grain) body(begin, begin + grain < n ? begin + grain : n);
#else
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, grain),
                    [&](const tbb::blocked_range<std::size_t>& range) { body(range.begin(), range.end()); });
#endif
}

// One T per worker thread, made on first use by `make`; iterating visits
// every one made so far.
#if LOYALSIM_SERIAL
template <class T>
class PerWorker {
 public:
  PerWorker() = default;
  template <class Make>
  explicit PerWorker(Make make) : make_(std::move(make)) {}
  T& local() {
    if (!value_) value_.emplace(make_());
    return *value_;
  }
  T* begin() { return value_ ? &*value_ : nullptr; }
  T* end() { return value_ ? &*value_ + 1 : nullptr; }

 private:
  std::function<T()> make_;
  std::optional<T> value_;
};
#else
template <class T>
using PerWorker = tbb::enumerable_thread_specific<T>;
#endif

}  // namespace loyalsim
