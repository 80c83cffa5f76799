// What the machine can give a command: threads and memory. Shared by `run`
// and `calibrate`, so both size their runs and refuse the same way.
#pragma once

#include <cstddef>
#include <cstdint>

namespace loyalsim::cli {

// Bytes of memory the machine can still give (MemAvailable), 0 if unknown.
std::size_t available_memory_bytes();

// The largest run (agent state and recorded metrics, `largest` bytes), as
// many at once as `threads` allow among `runs`: refused (InputError)
// before anything is allocated if it cannot fit, by a dry run as by a real
// run. Unless `quiet`, a large need is reported on standard error.
void check_memory(std::size_t largest, std::int64_t runs, int threads, bool quiet);

// `requested` threads, or (0) every core.
int available_threads(int requested);

}  // namespace loyalsim::cli
