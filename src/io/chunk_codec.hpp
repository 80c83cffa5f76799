// The bytes HDF5 stores for a chunk filtered by shuffle and/or deflate,
// made here so that a chunk can go to the file in one H5Dwrite_chunk
// (hdf5::Dataset::write_chunk) instead of through the library's filter
// pipeline, whose deflate filter calls compress2 for every chunk: for the
// one-run chunks of a results file (a few KiB or a few dozen bytes each)
// compress2's set-up cost more than the compression (io/zlib_compress.hpp).
//
// The format is HDF5's, so every reader decodes it with its own filters:
//   shuffle (H5Z_FILTER_SHUFFLE, parameter: the element size): byte k of
//     every element, then byte k+1, ...; nothing changes for 1-byte
//     elements or a single element; bytes past the last whole element stay
//     at the end as they are;
//   deflate (H5Z_FILTER_DEFLATE, parameter: the level): a zlib stream.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "io/hdf5.hpp"

namespace loyalsim::io {

// The filters a chunk goes through, in this order; either may be off.
struct ChunkFilters {
  std::size_t shuffle_element_bytes = 0;  // 0: no shuffle
  int deflate_level = -1;                 // -1: no deflate
};

// The pipeline of a dataset as ChunkFilters, if it holds nothing but a
// shuffle followed by a deflate (each optional); otherwise nothing, and the
// dataset's chunks must go through HDF5's own pipeline.
std::optional<ChunkFilters> encodable_filters(const std::vector<hdf5::Dataset::Filter>& pipeline);

// The filters with which a whole chunk of `dataset` can be encoded here and
// written with hdf5::Dataset::write_chunk from elements of
// `memory_element_bytes` bytes as they lie in memory: on a little-endian
// host (the files' types are little-endian, hdf5::Datatype::stored_as), for
// elements of the file type's size, through a pipeline encodable_filters
// takes. Otherwise nothing: the chunk goes through HDF5's own pipeline.
std::optional<ChunkFilters> direct_chunk_filters(const hdf5::Dataset& dataset, std::size_t memory_element_bytes);

class ChunkEncoder {
 public:
  // The stored bytes of a chunk whose unfiltered bytes are `raw`. The span
  // points into this encoder and is valid until the next call. Throws Error
  // if zlib fails.
  std::span<const unsigned char> encode(std::span<const unsigned char> raw, const ChunkFilters& filters);

 private:
  std::vector<unsigned char> shuffled_, deflated_;
};

// The inverse, for tests: the unfiltered bytes of a stored chunk of
// `raw_size` bytes.
std::vector<unsigned char> decode_chunk(std::span<const unsigned char> stored, const ChunkFilters& filters,
                                        std::size_t raw_size);

}  // namespace loyalsim::io
