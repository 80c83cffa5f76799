#include "io/zlib_stream.hpp"

#include <zlib.h>

#include <array>
#include <climits>

namespace loyalsim::io {
namespace {

// One deflate stream per level, made on first use and ended with the thread.
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

}  // namespace

int compress_reusing(unsigned char* dest, std::size_t* dest_size, const unsigned char* source, std::size_t size,
                     int level) {
  // Beyond one call's 32-bit counts, or an unusual level: compress2 itself.
  if (level < 0 || level > 9 || size > UINT_MAX || *dest_size > UINT_MAX) {
    auto written = static_cast<uLongf>(*dest_size);
    const int status = ::compress2(dest, &written, source, static_cast<uLong>(size), level);
    if (status == Z_OK) *dest_size = written;
    return status;
  }
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

}  // namespace loyalsim::io
