// A STREAM-style triad, a[i] = b[i] + s * c[i], to measure the machine's
// sustainable memory bandwidth with the same threads the engine uses. The
// benchmark script divides it by the engine's bytes per customer-month to
// get the bandwidth-bound ceiling of the month step.
//
//   loyalsim_stream_triad [--threads N] [--mib M] [--repeat R]
// prints one line: "triad_bandwidth_gb_s <value>".
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

int main(int argc, char** argv) {
  std::size_t threads = 2, mib = 1024, repeat = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::size_t value = std::strtoull(argv[i + 1], nullptr, 10);
    if (flag == "--threads") threads = value;
    else if (flag == "--mib") mib = value;
    else if (flag == "--repeat") repeat = value;
    else {
      std::cerr << "usage: loyalsim_stream_triad [--threads N] [--mib M] [--repeat R]\n";
      return 2;
    }
  }
  const tbb::global_control control(tbb::global_control::max_allowed_parallelism, threads);
  // Three arrays of `mib` MiB in all, far larger than any cache.
  const std::size_t n = mib * 1048576 / (3 * sizeof(double));
  std::vector<double> a(n), b(n), c(n);
  const double scalar = 3.0;
  // Fixed static chunks: each thread first touches the pages it later streams.
  const auto chunks = tbb::blocked_range<std::size_t>(0, n, n / (threads * 8) + 1);
  tbb::parallel_for(
      chunks,
      [&](const auto& r) {
        for (std::size_t i = r.begin(); i != r.end(); ++i) {
          a[i] = 0.0;
          b[i] = 1.0;
          c[i] = 2.0;
        }
      },
      tbb::static_partitioner());

  double best = 1e30;
  for (std::size_t k = 0; k < repeat; ++k) {
    const auto start = std::chrono::steady_clock::now();
    tbb::parallel_for(
        chunks,
        [&](const auto& r) {
          for (std::size_t i = r.begin(); i != r.end(); ++i) a[i] = b[i] + scalar * c[i];
        },
        tbb::static_partitioner());
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  // STREAM counts 3 arrays moved (2 read, 1 written) per triad.
  const double bytes = 3.0 * static_cast<double>(n) * sizeof(double);
  std::cout << "triad_bandwidth_gb_s " << bytes / best / 1e9 << "\n";
  return a[n / 2] == 7.0 ? 0 : 1;  // 1 + 3 * 2; also keeps the loop from being optimised away
}
