// The results file's own chunk encoding (shuffle, deflate through a reused
// compressor) against zlib and HDF5's filter definitions: what is encoded
// decodes to the same bytes, with any sizes, levels and element sizes, in
// any order on one thread.
#include <gtest/gtest.h>

#include <zlib.h>

#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "io/chunk_codec.hpp"
#include "io/zlib_compress.hpp"

namespace loyalsim::io {
namespace {

// Bytes that look like a results chunk: small integers (mostly zero high
// bytes) and doubles (noisy mantissas), from a fixed seed.
std::vector<unsigned char> sample_bytes(std::size_t size, unsigned seed) {
  std::mt19937 random(seed);
  std::vector<unsigned char> bytes(size);
  for (std::size_t i = 0; i < size; ++i)
    bytes[i] = (i / 8) % 3 == 0 ? static_cast<unsigned char>(random()) : (i % 8 == 0 ? (i / 8) % 7 : 0);
  return bytes;
}

std::vector<unsigned char> inflated(std::span<const unsigned char> stream, std::size_t size) {
  std::vector<unsigned char> out(size + 1);
  auto written = static_cast<uLongf>(out.size());
  EXPECT_EQ(::uncompress(out.data(), &written, stream.data(), static_cast<uLong>(stream.size())), Z_OK);
  out.resize(written);
  return out;
}

TEST(ZlibCompress, EveryLevelAndSizeInflatesBackInAnyOrderOnOneThread) {
  // Levels and sizes interleaved: each level's stream is reused after
  // buffers of other sizes, so a stream left in any state is reset right.
  unsigned seed = 1;
  for (int round = 0; round < 2; ++round)
    for (std::size_t size : {0u, 1u, 32u, 3840u, 70000u})
      for (int level = 0; level <= 9; ++level) {
        SCOPED_TRACE("size " + std::to_string(size) + " level " + std::to_string(level));
        const std::vector<unsigned char> raw = sample_bytes(size, seed++);
        std::vector<unsigned char> stream(::compressBound(static_cast<uLong>(size)));
        std::size_t written = stream.size();
        ASSERT_EQ(zlib_compress(stream.data(), &written, raw.data(), raw.size(), level), Z_OK);
        EXPECT_EQ(inflated(std::span(stream.data(), written), size), raw);
      }
}

TEST(ZlibCompress, TooSmallAnOutputIsABufferErrorAndTheStreamStaysUsable) {
  const std::vector<unsigned char> raw = sample_bytes(5000, 7);
  std::vector<unsigned char> stream(100);
  std::size_t written = stream.size();
  EXPECT_EQ(zlib_compress(stream.data(), &written, raw.data(), raw.size(), 4), Z_BUF_ERROR);
  stream.resize(::compressBound(static_cast<uLong>(raw.size())));
  written = stream.size();
  ASSERT_EQ(zlib_compress(stream.data(), &written, raw.data(), raw.size(), 4), Z_OK);
  EXPECT_EQ(inflated(std::span(stream.data(), written), raw.size()), raw);
}

TEST(ChunkCodec, ShuffleIsHdf5sByteTranspositionWithTheTailLeftInPlace) {
  // 3 elements of 4 bytes and a 2-byte tail.
  const std::vector<unsigned char> raw{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
  ChunkEncoder encoder;
  const auto stored = encoder.encode(raw, {4, -1});
  EXPECT_EQ(std::vector<unsigned char>(stored.begin(), stored.end()),
            (std::vector<unsigned char>{1, 5, 9, 2, 6, 10, 3, 7, 11, 4, 8, 12, 13, 14}));
  EXPECT_EQ(decode_chunk(stored, {4, -1}, raw.size()), raw);
}

TEST(ChunkCodec, OneElementOrOneByteElementsAreNotShuffled) {
  const std::vector<unsigned char> raw{1, 2, 3, 4, 5, 6, 7, 8};
  ChunkEncoder encoder;
  const auto one_element = encoder.encode(raw, {8, -1});
  EXPECT_EQ(std::vector<unsigned char>(one_element.begin(), one_element.end()), raw);
  const auto bytes = encoder.encode(raw, {1, -1});
  EXPECT_EQ(std::vector<unsigned char>(bytes.begin(), bytes.end()), raw);
}

TEST(ChunkCodec, ShuffledAndDeflatedChunksDecodeToTheirBytes) {
  ChunkEncoder encoder;
  unsigned seed = 100;
  for (std::size_t size : {8u, 32u, 40u, 3840u, 3843u, 131072u})
    for (const ChunkFilters filters :
         {ChunkFilters{8, 4}, ChunkFilters{0, 1}, ChunkFilters{8, 9}, ChunkFilters{2, 0}}) {
      SCOPED_TRACE("size " + std::to_string(size) + " shuffle " + std::to_string(filters.shuffle_element_bytes) +
                   " level " + std::to_string(filters.deflate_level));
      const std::vector<unsigned char> raw = sample_bytes(size, seed++);
      const auto stored = encoder.encode(raw, filters);
      EXPECT_EQ(decode_chunk(stored, filters, raw.size()), raw);
    }
}

TEST(ChunkCodec, OnlyAShuffleThenADeflateCanBeEncodedHere) {
  using Filter = hdf5::Dataset::Filter;
  const auto filters = encodable_filters({Filter{H5Z_FILTER_SHUFFLE, {8}}, Filter{H5Z_FILTER_DEFLATE, {4}}});
  ASSERT_TRUE(filters.has_value());
  EXPECT_EQ(filters->shuffle_element_bytes, 8u);
  EXPECT_EQ(filters->deflate_level, 4);
  EXPECT_TRUE(encodable_filters({}).has_value());
  EXPECT_TRUE(encodable_filters({Filter{H5Z_FILTER_DEFLATE, {1}}}).has_value());
  // Another order, another filter, a checksum: HDF5's own pipeline.
  EXPECT_FALSE(encodable_filters({Filter{H5Z_FILTER_DEFLATE, {4}}, Filter{H5Z_FILTER_SHUFFLE, {8}}}).has_value());
  EXPECT_FALSE(encodable_filters({Filter{H5Z_FILTER_FLETCHER32, {}}}).has_value());
  EXPECT_FALSE(encodable_filters({Filter{H5Z_FILTER_SHUFFLE, {8}}, Filter{H5Z_FILTER_SZIP, {4, 8}}}).has_value());
  EXPECT_FALSE(encodable_filters({Filter{H5Z_FILTER_SHUFFLE, {}}}).has_value());
}

}  // namespace
}  // namespace loyalsim::io
