#include "io/zlib_compress.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>
#include <vector>

#if LOYALSIM_HAVE_LIBDEFLATE
#include <libdeflate.h>
#endif

namespace loyalsim::io {
namespace {

#if LOYALSIM_HAVE_LIBDEFLATE

// One libdeflate compressor per level, made on first use, freed with the thread.
class ThreadCompressors {
 public:
  ThreadCompressors() = default;
  ThreadCompressors(const ThreadCompressors&) = delete;
  ThreadCompressors& operator=(const ThreadCompressors&) = delete;
  ~ThreadCompressors() {
    for (libdeflate_compressor* c : compressors_)
      if (c != nullptr) libdeflate_free_compressor(c);
  }
  libdeflate_compressor* at(int level) {
    libdeflate_compressor*& c = compressors_[static_cast<std::size_t>(level)];
    if (c == nullptr) c = libdeflate_alloc_compressor(level);
    return c;
  }

 private:
  std::array<libdeflate_compressor*, 10> compressors_{};
};

int compress_kept(unsigned char* dest, std::size_t* dest_size, const unsigned char* source, std::size_t size,
                  int level) {
  thread_local ThreadCompressors compressors;
  thread_local std::vector<unsigned char> scratch;
  libdeflate_compressor* compressor = compressors.at(level);
  if (compressor == nullptr) return Z_MEM_ERROR;
  // libdeflate gives up (returns 0) when the room left is below its own
  // bound, which for small buffers exceeds compressBound even when the
  // stream would fit: then it writes to a scratch buffer of its bound.
  const std::size_t bound = libdeflate_zlib_compress_bound(compressor, size);
  unsigned char* out = dest;
  if (*dest_size < bound) {
    scratch.resize(bound);
    out = scratch.data();
  }
  const std::size_t written = libdeflate_zlib_compress(compressor, source, size, out, std::max(*dest_size, bound));
  if (written == 0 || written > *dest_size) return Z_BUF_ERROR;
  if (out != dest) std::memcpy(dest, out, written);
  *dest_size = written;
  return Z_OK;
}

#else

// One zlib deflate stream per level, made on first use and ended with the thread.
class ThreadStreams {
 public:
  ThreadStreams() = default;
  ThreadStreams(const ThreadStreams&) = delete;
  ThreadStreams& operator=(const ThreadStreams&) = delete;
  ~ThreadStreams() {
    for (std::size_t level = 0; level < streams_.size(); ++level)
      if (ready_[level]) deflateEnd(&streams_[level]);
  }

  // The level's stream, ready for a new buffer; nullptr if zlib fails.
  z_stream* fresh(int level) {
    const auto i = static_cast<std::size_t>(level);
    z_stream& stream = streams_[i];
    if (!ready_[i]) {
      stream = z_stream{};
      if (deflateInit(&stream, level) != Z_OK) return nullptr;
      ready_[i] = true;
    } else if (deflateReset(&stream) != Z_OK) {
      return nullptr;
    }
    return &stream;
  }

 private:
  std::array<z_stream, 10> streams_{};
  std::array<bool, 10> ready_{};
};

int compress_kept(unsigned char* dest, std::size_t* dest_size, const unsigned char* source, std::size_t size,
                  int level) {
  thread_local ThreadStreams streams;
  z_stream* stream = streams.fresh(level);
  if (stream == nullptr) return Z_MEM_ERROR;
  stream->next_in = const_cast<Bytef*>(source);  // zlib's API is not const-correct; it only reads
  stream->avail_in = static_cast<uInt>(size);
  stream->next_out = dest;
  stream->avail_out = static_cast<uInt>(*dest_size);
  // All the input at once, as compress2 gives it: one call with Z_FINISH.
  const int status = deflate(stream, Z_FINISH);
  if (status == Z_STREAM_END) {
    *dest_size = stream->total_out;
    return Z_OK;
  }
  // Z_OK here means the output filled before the end: it does not fit.
  return status == Z_OK ? Z_BUF_ERROR : status;
}

#endif

}  // namespace

int zlib_compress(unsigned char* dest, std::size_t* dest_size, const unsigned char* source, std::size_t size,
                  int level) {
  // Level 0 (stored), beyond one call's 32-bit counts, or an unusual level:
  // compress2 itself.
  if (level < 1 || level > 9 || size > UINT_MAX || *dest_size > UINT_MAX) {
    auto written = static_cast<uLongf>(*dest_size);
    const int status = ::compress2(dest, &written, source, static_cast<uLong>(size), level);
    if (status == Z_OK) *dest_size = written;
    return status;
  }
  return compress_kept(dest, dest_size, source, size, level);
}

}  // namespace loyalsim::io
