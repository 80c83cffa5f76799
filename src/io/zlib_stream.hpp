// compress2 without its set-up cost. compress2 builds a deflate stream for
// every call (about 256 KiB of state, its hash table cleared), 40-50 us,
// which for the few-KiB chunks of a results file, and for a journal record
// per run, cost more than the compression itself: in a sweep of 1,000
// small runs it was most of the writer's time. Here each thread keeps one
// stream per level and resets it for the next buffer.
//
// The output is a zlib stream made with compress2's parameters (window 15,
// memory level 8, default strategy), which any inflater reads (uncompress,
// HDF5's deflate filter in every reader). It is usually byte for byte what
// compress2 writes; it need not be (a reset stream's window may hold the
// previous buffer's bytes past the end of the input, where a new one holds
// zeros, which can change which of two equal matches is chosen), and
// nothing relies on the bytes, only on what they inflate to.
#pragma once

#include <cstddef>

namespace loyalsim::io {

// Compresses `size` bytes at `source` into `dest`, which has room for
// *dest_size bytes (compressBound(size) always suffices). Returns Z_OK and
// sets *dest_size to the bytes written; Z_BUF_ERROR if they do not fit;
// another zlib error code on failure. Levels 0-9 as compress2.
int compress_reusing(unsigned char* dest, std::size_t* dest_size, const unsigned char* source, std::size_t size,
                     int level);

}  // namespace loyalsim::io
