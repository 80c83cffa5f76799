#include "io/chunk_codec.hpp"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <string>

#include "core/errors.hpp"
#include "io/zlib_compress.hpp"

namespace loyalsim::io {
namespace {

// HDF5's shuffle: with n whole elements of `size` bytes, output byte
// k * n + i is byte k of element i; a tail of fewer than `size` bytes is
// copied after them.
void shuffle(const unsigned char* in, std::size_t bytes, std::size_t size, unsigned char* out) {
  const std::size_t n = bytes / size;
  for (std::size_t k = 0; k < size; ++k)
    for (std::size_t i = 0; i < n; ++i) out[k * n + i] = in[i * size + k];
  std::memcpy(out + n * size, in + n * size, bytes - n * size);
}

void unshuffle(const unsigned char* in, std::size_t bytes, std::size_t size, unsigned char* out) {
  const std::size_t n = bytes / size;
  for (std::size_t k = 0; k < size; ++k)
    for (std::size_t i = 0; i < n; ++i) out[i * size + k] = in[k * n + i];
  std::memcpy(out + n * size, in + n * size, bytes - n * size);
}

// Whether HDF5's shuffle changes anything for this chunk.
bool shuffles(std::size_t bytes, std::size_t size) { return size > 1 && bytes / size > 1; }

}  // namespace

std::optional<ChunkFilters> encodable_filters(const std::vector<hdf5::Dataset::Filter>& pipeline) {
  ChunkFilters filters;
  std::size_t at = 0;
  if (at < pipeline.size() && pipeline[at].id == H5Z_FILTER_SHUFFLE) {
    // Its one parameter, the element size, is set when the dataset is created.
    if (pipeline[at].values.size() != 1 || pipeline[at].values[0] == 0) return std::nullopt;
    filters.shuffle_element_bytes = pipeline[at].values[0];
    ++at;
  }
  if (at < pipeline.size() && pipeline[at].id == H5Z_FILTER_DEFLATE) {
    if (pipeline[at].values.size() != 1 || pipeline[at].values[0] > 9) return std::nullopt;
    filters.deflate_level = static_cast<int>(pipeline[at].values[0]);
    ++at;
  }
  if (at != pipeline.size()) return std::nullopt;
  return filters;
}

std::optional<ChunkFilters> direct_chunk_filters(const hdf5::Dataset& dataset, std::size_t memory_element_bytes) {
  if constexpr (std::endian::native != std::endian::little) return std::nullopt;
  if (H5Tget_size(dataset.type().id()) != memory_element_bytes) return std::nullopt;
  return encodable_filters(dataset.chunk_layout().filters);
}

std::span<const unsigned char> ChunkEncoder::encode(std::span<const unsigned char> raw, const ChunkFilters& filters) {
  std::span<const unsigned char> bytes = raw;
  if (filters.shuffle_element_bytes > 0 && shuffles(raw.size(), filters.shuffle_element_bytes)) {
    shuffled_.resize(raw.size());
    shuffle(raw.data(), raw.size(), filters.shuffle_element_bytes, shuffled_.data());
    bytes = shuffled_;
  }
  if (filters.deflate_level < 0) return bytes;
  // compressBound always fits; HDF5's filter allows a little more, but a
  // zlib stream never needs it.
  std::size_t size = ::compressBound(static_cast<uLong>(bytes.size()));
  deflated_.resize(size);
  const int status = zlib_compress(deflated_.data(), &size, bytes.data(), bytes.size(), filters.deflate_level);
  if (status != Z_OK) throw Error("zlib: compressing a chunk of " + std::to_string(bytes.size()) + " bytes failed");
  return {deflated_.data(), size};
}

std::vector<unsigned char> decode_chunk(std::span<const unsigned char> stored, const ChunkFilters& filters,
                                        std::size_t raw_size) {
  std::vector<unsigned char> bytes(stored.begin(), stored.end());
  if (filters.deflate_level >= 0) {
    std::vector<unsigned char> inflated(raw_size);
    auto size = static_cast<uLongf>(raw_size);
    if (::uncompress(inflated.data(), &size, bytes.data(), static_cast<uLong>(bytes.size())) != Z_OK ||
        size != raw_size)
      throw Error("zlib: a chunk does not inflate to " + std::to_string(raw_size) + " bytes");
    bytes = std::move(inflated);
  }
  if (filters.shuffle_element_bytes > 0 && shuffles(bytes.size(), filters.shuffle_element_bytes)) {
    std::vector<unsigned char> unshuffled(bytes.size());
    unshuffle(bytes.data(), bytes.size(), filters.shuffle_element_bytes, unshuffled.data());
    bytes = std::move(unshuffled);
  }
  return bytes;
}

}  // namespace loyalsim::io
