// compress2's job, faster: a buffer in, a zlib stream (RFC 1950: deflate
// with the zlib header and Adler-32) out, which any inflater reads
// (uncompress, HDF5's deflate filter in every reader).
//
// compress2 builds a deflate stream for every call (about 256 KiB of
// state, its hash table cleared), 40-50 us, which for the few-KiB chunks of
// a results file, and for a journal record per run, cost more than the
// compression itself: in a sweep of 1,000 small runs it was most of the
// writer's time. Here each thread keeps one compressor per level. With
// libdeflate (LOYALSIM_HAVE_LIBDEFLATE, Debian's libdeflate-dev) the
// compressor is libdeflate's, 2-2.5x faster than zlib's deflate on these
// arrays at a similar size; without it, zlib's own stream, reset for each
// buffer (deflateReset).
//
// The bytes differ from compress2's (libdeflate's matches are its own;
// even a reset zlib stream may pick another of two equal matches, its
// window holding the previous buffer's bytes past the end of the input
// where a new stream holds zeros). Nothing relies on the bytes, only on
// what they inflate to.
#pragma once

#include <cstddef>

namespace loyalsim::io {

// Compresses `size` bytes at `source` into `dest`, which has room for
// *dest_size bytes (compressBound(size) always suffices). Returns Z_OK and
// sets *dest_size to the bytes written; Z_BUF_ERROR if they do not fit;
// another zlib error code on failure. Levels 0-9 as compress2.
int zlib_compress(unsigned char* dest, std::size_t* dest_size, const unsigned char* source, std::size_t size,
                  int level);

}  // namespace loyalsim::io
