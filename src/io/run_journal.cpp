#include "io/run_journal.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstring>
#include <limits>
#include <optional>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "core/event_columns.hpp"
#include "core/metrics.hpp"
#include "io/run_columns.hpp"
#include "io/zlib_compress.hpp"

namespace loyalsim::io {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<unsigned char>;

constexpr std::string_view magic = "LOYALSIM-JOURNAL\n";
constexpr std::uint32_t format_version = 3;
// Level 1: the fastest; these arrays (mostly small counts and zeros) still
// shrink several-fold, and the journal must never slow a sweep down.
constexpr int compression_level = 1;
// magic, version, header size.
constexpr std::size_t prefix_bytes = magic.size() + 4 + 8;
// A header is a hash and a few numbers; anything bigger is garbage, and the
// cap stops a damaged size field from making us read a whole large file.
constexpr std::uint64_t max_header_bytes = std::uint64_t{1} << 20;
// Starts every record: what the reader scans for after damage. Not ASCII
// text, and with a CR LF that text-mode mangling would break (as in PNG).
constexpr std::array<unsigned char, 8> record_marker{0x89, 'L', 'S', 'R', 'E', 'C', 0x0d, 0x0a};
// marker, sequence, run, compressed_size, raw_size, payload CRC; then the
// header's own CRC.
constexpr std::size_t record_header_crc_at = 8 + 8 + 8 + 8 + 8 + 4;
constexpr std::size_t record_header_bytes = record_header_crc_at + 4;
// sequence, compressed_size, CRC.
constexpr std::size_t trailer_bytes = 8 + 8 + 4;
constexpr std::string_view trailer_seed = "LSEND";
// How much the marker scan reads at a time.
constexpr std::size_t scan_chunk_bytes = std::size_t{1} << 16;

// ------------------------------------------------------------ errors

std::string context(const fs::path& path) { return "run journal '" + path.string() + "'"; }

// A failing system call: the path and strerror(errno).
[[noreturn]] void fail_system(const fs::path& path, const std::string& action) {
  const int error = errno;
  throw Error(context(path) + ": " + action + ": " + std::strerror(error));
}

// The file cannot be trusted as a journal at all; nothing can be resumed.
[[noreturn]] void fail_damaged(const fs::path& path, const std::string& problem) {
  throw InputError(context(path) + ": " + problem +
                   "; the journal is damaged, so the sweep cannot be resumed: restart it with --force");
}

// ------------------------------------------------------------ encoding

// Appends fixed-width little-endian fields to `out`, byte by byte, so the
// encoding is the same whatever the host's byte order.
class Encoder {
 public:
  explicit Encoder(Bytes& out) : bytes_(out) { bytes_.clear(); }
  void u8(std::uint8_t v) { bytes_.push_back(v); }
  void u16(std::uint16_t v) { put(v, 2); }
  void u32(std::uint32_t v) { put(v, 4); }
  void u64(std::uint64_t v) { put(v, 8); }
  // Two's complement is the only representation in C++20, so the casts are exact.
  void i16(std::int16_t v) { u16(static_cast<std::uint16_t>(v)); }
  void i32(std::int32_t v) { u32(static_cast<std::uint32_t>(v)); }
  void i64(std::int64_t v) { u64(static_cast<std::uint64_t>(v)); }
  // IEEE-754 bit patterns: NaN payloads and signed zeros survive.
  void f32(float v) { u32(std::bit_cast<std::uint32_t>(v)); }
  void f64(double v) { u64(std::bit_cast<std::uint64_t>(v)); }
  void size(std::size_t v) { u64(v); }
  // A member of a fixed-width type, by its bits: an enum by its underlying
  // value, a float by its IEEE-754 pattern.
  template <class T>
  void value(T v) {
    if constexpr (std::is_enum_v<T>) {
      value(static_cast<std::underlying_type_t<T>>(v));
    } else if constexpr (std::is_floating_point_v<T>) {
      static_assert(sizeof(T) == 4 || sizeof(T) == 8);
      using Bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
      put(std::bit_cast<Bits>(v), sizeof(T));
    } else {
      put(static_cast<std::make_unsigned_t<T>>(v), sizeof(T));
    }
  }
  // The bulk of a record: one resize, then stores (no per-byte push_back).
  void doubles(const std::vector<double>& values) {
    size(values.size());
    std::size_t at = bytes_.size();
    bytes_.resize(at + 8 * values.size());
    for (const double v : values) {
      store(bytes_.data() + at, std::bit_cast<std::uint64_t>(v), 8);
      at += 8;
    }
  }
  void int64s(const std::vector<std::int64_t>& values) {
    size(values.size());
    std::size_t at = bytes_.size();
    bytes_.resize(at + 8 * values.size());
    for (const std::int64_t v : values) {
      store(bytes_.data() + at, static_cast<std::uint64_t>(v), 8);
      at += 8;
    }
  }
  // A metric table's arrays, each in its metric's type.
  template <class Table>
  void metrics(const MetricArrays& arrays, const Table& table) {
    size(table.size());
    for (std::size_t i = 0; i < table.size(); ++i) {
      if (table[i].type == MetricType::count) int64s(arrays.counts[i]);
      else doubles(arrays.reals[i]);
    }
  }
  void string(std::string_view s) {
    size(s.size());
    raw(reinterpret_cast<const unsigned char*>(s.data()), s.size());
  }
  // Bytes as they are. (resize + memcpy, not insert: GCC 12 warns falsely on
  // vector::insert after a resize, -Warray-bounds.)
  void raw(const unsigned char* data, std::size_t n) {
    if (n == 0) return;
    const std::size_t at = bytes_.size();
    bytes_.resize(at + n);
    std::memcpy(bytes_.data() + at, data, n);
  }
  Bytes& bytes() { return bytes_; }

 private:
  static void store(unsigned char* at, std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) at[i] = static_cast<unsigned char>(v >> (8 * i));
  }
  void put(std::uint64_t v, int n) {
    bytes_.resize(bytes_.size() + static_cast<std::size_t>(n));
    store(bytes_.data() + bytes_.size() - n, v, n);
  }
  Bytes& bytes_;
};

// Thrown by Decoder when a field would run past the end of its buffer.
struct Truncated {};

// Reads what Encoder wrote, checking every field against the buffer's end.
class Decoder {
 public:
  Decoder(const unsigned char* data, std::size_t size) : data_(data), size_(size) {}
  std::uint8_t u8() { return static_cast<std::uint8_t>(get(1)); }
  std::uint16_t u16() { return static_cast<std::uint16_t>(get(2)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(get(4)); }
  std::uint64_t u64() { return get(8); }
  std::int16_t i16() { return static_cast<std::int16_t>(u16()); }
  std::int32_t i32() { return static_cast<std::int32_t>(u32()); }
  std::int64_t i64() { return static_cast<std::int64_t>(u64()); }
  float f32() { return std::bit_cast<float>(u32()); }
  double f64() { return std::bit_cast<double>(u64()); }
  std::size_t size() { return static_cast<std::size_t>(u64()); }
  // What Encoder::value wrote.
  template <class T>
  T value() {
    if constexpr (std::is_enum_v<T>) {
      return static_cast<T>(value<std::underlying_type_t<T>>());
    } else if constexpr (std::is_floating_point_v<T>) {
      using Bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
      return std::bit_cast<T>(static_cast<Bits>(get(sizeof(T))));
    } else {
      return static_cast<T>(static_cast<std::make_unsigned_t<T>>(get(sizeof(T))));
    }
  }
  // A count of elements of element_bytes each, refused if the buffer cannot
  // hold them: a bad count must not turn into a huge allocation.
  std::size_t count(std::size_t element_bytes) {
    const std::uint64_t n = u64();
    if (n > (size_ - at_) / element_bytes) throw Truncated{};
    return static_cast<std::size_t>(n);
  }
  void doubles(std::vector<double>& values) {
    values.resize(count(8));
    for (double& v : values) v = f64();
  }
  void int64s(std::vector<std::int64_t>& values) {
    values.resize(count(8));
    for (std::int64_t& v : values) v = i64();
  }
  // What Encoder::metrics wrote; false if it holds another number of metrics.
  template <class Table>
  bool metrics(MetricArrays& arrays, const Table& table) {
    if (size() != table.size()) return false;
    arrays.counts.resize(table.size());
    arrays.reals.resize(table.size());
    for (std::size_t i = 0; i < table.size(); ++i) {
      if (table[i].type == MetricType::count) {
        int64s(arrays.counts[i]);
        arrays.reals[i].clear();
      } else {
        doubles(arrays.reals[i]);
        arrays.counts[i].clear();
      }
    }
    return true;
  }
  std::string string() {
    const std::size_t n = count(1);
    std::string s(reinterpret_cast<const char*>(data_ + at_), n);
    at_ += n;
    return s;
  }
  bool at_end() const { return at_ == size_; }

 private:
  std::uint64_t get(int n) {
    if (size_ - at_ < static_cast<std::size_t>(n)) throw Truncated{};
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= std::uint64_t{data_[at_ + i]} << (8 * i);
    at_ += n;
    return v;
  }
  const unsigned char* data_;
  std::size_t size_;
  std::size_t at_ = 0;
};

std::uint32_t crc_of(const unsigned char* data, std::size_t size, std::uint32_t crc = 0) {
  return static_cast<std::uint32_t>(crc32_z(crc, data, size));
}

// ------------------------------------------------------------ header

// FNV-1a over what the payload's layout follows: each metric's name and
// type, and each event and run column's name and member type (size, kind).
// A build that changes any of them writes records this build would misread,
// so resuming its journal is refused even if the format version was not
// bumped.
std::uint64_t payload_layout_fingerprint() {
  std::uint64_t hash = 0xcbf29ce484222325;
  const auto mix = [&](std::string_view text) {
    for (const char c : text) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3;
    hash = (hash ^ 0xff) * 0x100000001b3;  // ends the field: "ab","c" differs from "a","bc"
  };
  const auto mix_number = [&](std::size_t n) { mix(std::to_string(n)); };
  for (const MetricInfo& m : series_metrics) {
    mix(m.name);
    mix_number(static_cast<std::size_t>(m.type));
    mix_number(static_cast<std::size_t>(m.shape));
  }
  mix("summary");
  for (const MetricInfo& m : summary_metrics) {
    mix(m.name);
    mix_number(static_cast<std::size_t>(m.type));
    mix_number(static_cast<std::size_t>(m.shape));
  }
  const auto mix_member = [&](std::string_view name, auto kind) {
    using T = decltype(kind);
    mix(name);
    mix_number(sizeof(T));
    mix_number(std::is_enum_v<T> ? 1 : std::is_floating_point_v<T> ? 2 : std::is_signed_v<T> ? 3 : 4);
  };
  mix("events");
  for_each_event_column([&](const auto& column) {
    mix_member(column.name, typename std::remove_cvref_t<decltype(column)>::member_type{});
  });
  mix("runs");
  for_each_run_column([&](const auto& column) {
    mix_member(column.name, typename std::remove_cvref_t<decltype(column)>::member_type{});
  });
  return hash;
}

// The whole file prefix: magic, version, header size, header, CRC.
Bytes encode_header(const JournalHeader& h) {
  Bytes header_bytes, file_bytes;
  Encoder header(header_bytes);
  header.string(h.scenario_hash);
  header.size(h.runs);
  header.size(h.months);
  header.size(h.firms);
  header.size(h.segments);
  header.u8(h.events ? 1 : 0);
  // A build with another set of metrics would misread the arrays.
  header.size(series_metrics.size());
  header.size(summary_metrics.size());
  // ... and one whose metrics, event or run columns differ in any way the
  // payload depends on, though their number is the same.
  header.u64(payload_layout_fingerprint());

  Encoder file(file_bytes);
  file.raw(reinterpret_cast<const unsigned char*>(magic.data()), magic.size());
  file.u32(format_version);
  file.size(header_bytes.size());
  file.raw(header_bytes.data(), header_bytes.size());
  file.u32(crc_of(file.bytes().data(), file.bytes().size()));
  return file_bytes;
}

// ------------------------------------------------------------ run records

// A problem with a run's shape against the journal's header, if any.
std::optional<std::string> shape_problem(const JournalHeader& h, const RunRecord& record, const RunResult& result) {
  const auto run = "run " + std::to_string(record.run) + ": ";
  if (record.run < 0 || static_cast<std::uint64_t>(record.run) >= h.runs) {
    return run + "outside the sweep's " + std::to_string(h.runs) + " runs";
  }
  if (auto problem = run_shape_problem(result, h.months, h.firms, h.segments, "journal")) return run + *problem;
  return std::nullopt;
}

// The payload, before compression. Field order is the format: changing it,
// the order or member types of event_columns (core/event_columns.hpp) or
// run_columns (io/run_columns.hpp), which the events and the record follow,
// or a metric's type (core/metrics.hpp: counts are int64, reals float64),
// means a new format_version.
void encode_run(Encoder& out, const RunRecord& record, const RunResult& result) {
  out.i64(record.run);
  for_each_run_column([&](const auto& column) { out.value(record.*column.member); });
  out.doubles(record.parameter_values);

  out.size(result.months);
  out.size(result.firms);
  out.size(result.segments);
  out.metrics(result.series, series_metrics);
  out.metrics(result.totals, summary_metrics);
  out.size(result.events.size());
  for (const DecisionEvent& e : result.events)
    for_each_event_column([&](const auto& column) { out.value(e.*column.member); });
  out.i64(result.customer_months);
  out.size(result.state_bytes);
  out.f64(result.wall_seconds);
  out.i64(result.scripted_shortfall);
}

// A flag column's value that its meanings do not name, as text; nothing for
// a named value or a column that is not a flag column.
template <class T>
std::optional<std::string> unknown_flag(T value, std::string_view meanings) {
  if constexpr (std::is_enum_v<T>) {
    const auto v = static_cast<std::underlying_type_t<T>>(value);
    if (std::cmp_less(v, 0) || std::cmp_greater_equal(v, flag_count(meanings))) return std::to_string(v);
  }
  return std::nullopt;
}

// Decodes into record and result, reusing their vectors' memory. Returns a
// problem if the payload does not parse (the caller says which record).
std::optional<std::string> decode_run(Decoder& in, RunRecord& record, RunResult& result) {
  try {
    record.run = in.i64();
    std::optional<std::string> problem;
    for_each_run_column([&](const auto& column) {
      using Member = typename std::remove_cvref_t<decltype(column)>::member_type;
      record.*column.member = in.value<Member>();
      if (auto bad = unknown_flag(record.*column.member, column.flag_meanings))
        problem = "runs column '" + std::string(column.name) + "' holds the unknown value " + *bad;
    });
    if (problem) return problem;
    in.doubles(record.parameter_values);

    result.months = in.size();
    result.firms = in.size();
    result.segments = in.size();
    if (!in.metrics(result.series, series_metrics) || !in.metrics(result.totals, summary_metrics))
      return "holds another number of metrics than this build records";
    result.events.resize(in.count(event_member_bytes()));
    for (DecisionEvent& e : result.events) {
      for_each_event_column([&](const auto& column) {
        using Member = typename std::remove_cvref_t<decltype(column)>::member_type;
        e.*column.member = in.value<Member>();
        if (auto bad = unknown_flag(e.*column.member, column.flag_meanings))
          problem = "event column '" + std::string(column.name) + "' holds the unknown value " + *bad;
      });
      if (problem) return problem;
    }
    result.customer_months = in.i64();
    result.state_bytes = in.size();
    result.wall_seconds = in.f64();
    result.scripted_shortfall = in.i64();
  } catch (const Truncated&) {
    return "the payload ends mid-field";
  }
  if (!in.at_end()) return "the payload has trailing bytes";
  return std::nullopt;
}

// ------------------------------------------------------------ record framing

// A record's header fields (see the format in run_journal.hpp).
struct RecordFrame {
  std::uint64_t sequence = 0;
  std::int64_t run = 0;
  std::uint64_t compressed_size = 0, raw_size = 0;
  std::uint32_t payload_crc = 0;
};

std::uint64_t record_bytes(std::uint64_t compressed_size) {
  return record_header_bytes + compressed_size + trailer_bytes;
}

void store_le(unsigned char* at, std::uint64_t v, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) at[i] = static_cast<unsigned char>(v >> (8 * i));
}

// Writes the record header at `at` (record_header_bytes).
void encode_record_header(unsigned char* at, const RecordFrame& f) {
  std::memcpy(at, record_marker.data(), record_marker.size());
  store_le(at + 8, f.sequence, 8);
  store_le(at + 16, static_cast<std::uint64_t>(f.run), 8);
  store_le(at + 24, f.compressed_size, 8);
  store_le(at + 32, f.raw_size, 8);
  store_le(at + 40, f.payload_crc, 4);
  store_le(at + record_header_crc_at, crc_of(at, record_header_crc_at), 4);
}

// The record header at `at` (record_header_bytes), if marker and CRC are intact.
std::optional<RecordFrame> decode_record_header(const unsigned char* at) {
  if (std::memcmp(at, record_marker.data(), record_marker.size()) != 0) return std::nullopt;
  Decoder in(at + record_marker.size(), record_header_bytes - record_marker.size());
  RecordFrame f;
  f.sequence = in.u64();
  f.run = in.i64();
  f.compressed_size = in.u64();
  f.raw_size = in.u64();
  f.payload_crc = in.u32();
  if (in.u32() != crc_of(at, record_header_crc_at)) return std::nullopt;
  return f;
}

// The seed keeps a trailer's CRC from matching 16 bytes of anything else.
std::uint32_t trailer_crc(const unsigned char* fields) {
  return crc_of(fields, 16, crc_of(reinterpret_cast<const unsigned char*>(trailer_seed.data()), trailer_seed.size()));
}

// Writes the record trailer at `at` (trailer_bytes).
void encode_trailer(unsigned char* at, const RecordFrame& f) {
  store_le(at, f.sequence, 8);
  store_le(at + 8, f.compressed_size, 8);
  store_le(at + 16, trailer_crc(at), 4);
}

struct Trailer {
  std::uint64_t sequence = 0, compressed_size = 0;
};

std::optional<Trailer> decode_trailer(const unsigned char* at) {
  Decoder in(at, trailer_bytes);
  Trailer t;
  t.sequence = in.u64();
  t.compressed_size = in.u64();
  if (in.u32() != trailer_crc(at)) return std::nullopt;
  return t;
}

// ------------------------------------------------------------ POSIX I/O

// One write() normally; the loop covers EINTR and partial writes.
void write_all(int fd, const unsigned char* data, std::size_t size, const fs::path& path) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_system(path, "writing");
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

// Reads up to size bytes at offset; fewer only at the end of the file.
std::size_t read_at(int fd, std::uint64_t offset, unsigned char* data, std::size_t size, const fs::path& path) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd, data + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_system(path, "reading");
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  return done;
}

// One writer per journal: a second sweep on the same output would interleave
// records. flock() locks die with the process, so a SIGKILL leaves none behind.
void lock_or_refuse(int fd, const fs::path& path) {
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) {
      throw InputError(context(path) +
                       ": is in use by another process (is a sweep writing the same output still running?)");
    }
    fail_system(path, "locking");
  }
}

// Walks a journal's records from the first to the end of the file, skipping
// damage as the format comment in run_journal.hpp describes. Deterministic:
// a second walk over the same file finds the same records, which compaction
// relies on. Memory: one record.
class RecordScanner {
 public:
  RecordScanner(int fd, const fs::path& path, std::uint64_t start, std::uint64_t size)
      : fd_(fd), path_(path), at_(start), size_(size), intact_end_(size) {}

  // Moves to the next intact record (header and payload pass their CRCs);
  // false at the end of the file, when found() and intact_end() are final.
  bool next() {
    std::optional<std::uint64_t> damage_from;  // start of the damaged bytes being skipped
    while (at_ < size_) {
      const std::optional<RecordFrame> header = header_at(at_);
      if (!header) {
        if (!damage_from) damage_from = at_;
        at_ = find_marker(at_ + 1);
        continue;
      }
      const std::uint64_t end = at_ + record_bytes(header->compressed_size);
      if (end > size_) {  // cut short: the write a kill interrupted
        finish(damage_from, header->sequence);
        return false;
      }
      if (damage_from) found_.damaged_bytes += at_ - *damage_from;
      damage_from.reset();
      found_.damaged_records += header->sequence - next_sequence_;  // records the damage held
      next_sequence_ = header->sequence + 1;
      const std::uint64_t start = at_;
      at_ = end;  // the header's CRC vouches for its size
      payload_.resize(header->compressed_size);
      read_at(fd_, start + record_header_bytes, payload_.data(), payload_.size(), path_);
      if (crc_of(payload_.data(), payload_.size()) != header->payload_crc) {
        ++found_.damaged_records;
        found_.damaged_bytes += end - start;
        continue;
      }
      // A damaged trailer alone costs nothing (compaction rewrites it).
      std::array<unsigned char, trailer_bytes> trailer{};
      read_at(fd_, end - trailer_bytes, trailer.data(), trailer.size(), path_);
      const std::optional<Trailer> t = decode_trailer(trailer.data());
      if (!t || t->sequence != header->sequence || t->compressed_size != header->compressed_size)
        found_.damaged_bytes += trailer_bytes;
      frame_ = *header;
      ++found_.records;
      return true;
    }
    finish(damage_from, std::nullopt);
    return false;
  }

  const RecordFrame& frame() const { return frame_; }
  const Bytes& payload() const { return payload_; }  // compressed
  const JournalRecovery& found() const { return found_; }
  // The end of the intact part: where the torn tail starts, else the file size.
  std::uint64_t intact_end() const { return intact_end_; }

 private:
  // The record header at `at`, if it is intact and plausible where it is.
  std::optional<RecordFrame> header_at(std::uint64_t at) {
    if (size_ - at < record_header_bytes) return std::nullopt;
    std::array<unsigned char, record_header_bytes> bytes{};
    read_at(fd_, at, bytes.data(), bytes.size(), path_);
    std::optional<RecordFrame> header = decode_record_header(bytes.data());
    // Sequence numbers only grow; a size beyond the file cannot be (and
    // would overflow the arithmetic).
    if (header && (header->sequence < next_sequence_ || header->compressed_size > size_)) return std::nullopt;
    return header;
  }

  // The offset of the next record marker at or after `from`, or the file size.
  std::uint64_t find_marker(std::uint64_t from) {
    scan_.resize(scan_chunk_bytes);
    while (from < size_ && size_ - from >= record_marker.size()) {
      const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(scan_chunk_bytes, size_ - from));
      const std::size_t n = read_at(fd_, from, scan_.data(), want, path_);
      const auto end = scan_.begin() + static_cast<std::ptrdiff_t>(n);
      const auto hit = std::search(scan_.begin(), end, record_marker.begin(), record_marker.end());
      if (hit != end) return from + static_cast<std::uint64_t>(hit - scan_.begin());
      if (n < scan_chunk_bytes) break;
      from += n - (record_marker.size() - 1);  // a marker may straddle two chunks
    }
    return size_;
  }

  // At the end of the file: damaged bytes still being skipped, or a record
  // (of sequence torn_sequence) running past the end.
  void finish(std::optional<std::uint64_t> damage_from, std::optional<std::uint64_t> torn_sequence) {
    std::uint64_t tail = size_;
    if (torn_sequence) {
      tail = at_;
      if (damage_from) found_.damaged_bytes += at_ - *damage_from;
      found_.damaged_records += *torn_sequence - next_sequence_;
    } else if (damage_from) {
      // Complete records end with a valid trailer, which counts them; a
      // write cut short (or zeros a power loss left) does not.
      std::optional<Trailer> t;
      if (size_ - *damage_from >= trailer_bytes) {
        std::array<unsigned char, trailer_bytes> bytes{};
        read_at(fd_, size_ - trailer_bytes, bytes.data(), bytes.size(), path_);
        t = decode_trailer(bytes.data());
      }
      if (t && t->sequence >= next_sequence_ && t->compressed_size <= size_ &&
          size_ - *damage_from >= record_bytes(t->compressed_size)) {
        found_.damaged_records += t->sequence - next_sequence_ + 1;
        found_.damaged_bytes += size_ - *damage_from;
      } else {
        tail = *damage_from;
      }
    }
    if (tail < size_) {
      found_.torn_tail = true;
      found_.torn_bytes = size_ - tail;
    }
    intact_end_ = tail;
    at_ = size_;
  }

  int fd_;
  const fs::path& path_;
  std::uint64_t at_, size_;
  std::uint64_t next_sequence_ = 0;  // the sequence the next intact record should have
  RecordFrame frame_;
  Bytes payload_, scan_;
  JournalRecovery found_;
  std::uint64_t intact_end_;
};

// The journal's header as read from the file, and where the records start.
struct StoredHeader {
  JournalHeader header;
  std::uint64_t series_count = 0, summary_count = 0, layout_fingerprint = 0;
  std::uint64_t records_start = 0;
};

StoredHeader read_header(int fd, std::uint64_t file_size, const fs::path& path) {
  // Magic and version first, so an old or foreign file gets a message that says so.
  Bytes prefix(prefix_bytes);
  const std::size_t got = read_at(fd, 0, prefix.data(), prefix.size(), path);
  if (got == 0) fail_damaged(path, "the file is empty");
  if (got < magic.size() || std::memcmp(prefix.data(), magic.data(), magic.size()) != 0) {
    fail_damaged(path, "the file does not start with the journal's magic line (not a loyalsim run journal)");
  }
  if (got < prefix_bytes) fail_damaged(path, "the header is cut short");
  Decoder in(prefix.data() + magic.size(), prefix_bytes - magic.size());
  const std::uint32_t version = in.u32();
  const std::uint64_t header_size = in.u64();

  // The header and its CRC (over the prefix too). Every version so far
  // frames its header this way, so the CRC tells an intact journal of
  // another version from a damaged version field.
  const bool sized = header_size <= max_header_bytes && prefix_bytes + header_size + 4 <= file_size;
  Bytes all;
  bool intact = false;
  if (sized) {
    all.resize(prefix_bytes + header_size + 4);
    read_at(fd, 0, all.data(), all.size(), path);
    const std::size_t crc_at = all.size() - 4;
    intact = crc_of(all.data(), crc_at) == Decoder(all.data() + crc_at, 4).u32();
  }
  if (intact && version != format_version) {
    throw InputError(context(path) + ": was written by " + (version < format_version ? "an older" : "a newer") +
                     " loyalsim (journal format version " + std::to_string(version) + "; this build reads version " +
                     std::to_string(format_version) +
                     "), so it cannot be resumed here: finish the sweep with the loyalsim that started it, " +
                     "or start over with --force");
  }
  if (!sized) fail_damaged(path, "the header is cut short or its size is corrupt");
  if (!intact) fail_damaged(path, "the header fails its checksum");
  StoredHeader stored;
  try {
    Decoder h(all.data() + prefix_bytes, header_size);
    stored.header.scenario_hash = h.string();
    stored.header.runs = h.size();
    stored.header.months = h.size();
    stored.header.firms = h.size();
    stored.header.segments = h.size();
    stored.header.events = h.u8() != 0;
    stored.series_count = h.u64();
    stored.summary_count = h.u64();
    stored.layout_fingerprint = h.u64();
  } catch (const Truncated&) {
    fail_damaged(path, "the header ends mid-field");
  }
  stored.records_start = all.size();
  return stored;
}

// Refuses a journal written for another scenario, naming every difference.
void check_same_scenario(const StoredHeader& stored, const JournalHeader& expected, const fs::path& path) {
  const JournalHeader& got = stored.header;
  std::string differences;
  const auto compare = [&](std::string_view what, const std::string& here, const std::string& there) {
    if (here == there) return;
    if (!differences.empty()) differences += ", ";
    differences += std::string(what) + " " + here + " here but " + there + " in the journal";
  };
  compare("scenario hash", "'" + expected.scenario_hash + "'", "'" + got.scenario_hash + "'");
  compare("runs", std::to_string(expected.runs), std::to_string(got.runs));
  compare("months", std::to_string(expected.months), std::to_string(got.months));
  compare("firms", std::to_string(expected.firms), std::to_string(got.firms));
  compare("segments", std::to_string(expected.segments), std::to_string(got.segments));
  compare("events", expected.events ? "on" : "off", got.events ? "on" : "off");
  if (!differences.empty()) {
    throw InputError(context(path) + ": belongs to a different scenario (" + differences +
                     "); run with --force to discard it and start the sweep again");
  }
  if (stored.series_count != series_metrics.size() || stored.summary_count != summary_metrics.size() ||
      stored.layout_fingerprint != payload_layout_fingerprint()) {
    throw InputError(context(path) + ": was written by a loyalsim build with different metrics or columns; " +
                     "run with --force to discard it and start the sweep again");
  }
}

}  // namespace

// ------------------------------------------------------------ JournalRecovery

std::string JournalRecovery::losses() const {
  std::string text;
  if (damaged_records > 0) {
    const bool one = damaged_records == 1;
    text += "; " + std::to_string(damaged_records) + " damaged record" + (one ? "" : "s") + " skipped (" +
            (one ? "its run" : "their runs") + " will run again)";
  } else if (damaged_bytes > 0) {
    text += "; " + std::to_string(damaged_bytes) + " damaged bytes repaired (no run lost)";
  }
  if (torn_tail) text += "; a run cut short by the interruption was dropped and will run again";
  return text;
}

// ------------------------------------------------------------ RunJournal

RunJournal::RunJournal(fs::path path, int fd, JournalHeader header, std::uint64_t end)
    : path_(std::move(path)), fd_(fd), header_(std::move(header)), end_(end) {}

RunJournal::RunJournal(RunJournal&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)), header_(std::move(other.header_)),
      end_(other.end_), broken_(other.broken_), recovered_(other.recovered_), records_start_(other.records_start_),
      next_sequence_(other.next_sequence_) {}

RunJournal& RunJournal::operator=(RunJournal&& other) noexcept {
  if (this != &other) {
    close();
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    header_ = std::move(other.header_);
    end_ = other.end_;
    broken_ = other.broken_;
    recovered_ = other.recovered_;
    records_start_ = other.records_start_;
    next_sequence_ = other.next_sequence_;
  }
  return *this;
}

RunJournal::~RunJournal() { close(); }

void RunJournal::close() noexcept {
  if (fd_ >= 0) ::close(fd_);  // also releases the flock
  fd_ = -1;
}

RunJournal RunJournal::create(const fs::path& path, const JournalHeader& header) {
  if (header.scenario_hash.size() > max_header_bytes / 2) {
    throw Error(context(path) + ": the scenario hash is implausibly long");
  }
  // The journal sits beside the results, whose folder may not exist yet.
  if (const auto folder = path.parent_path(); !folder.empty()) {
    std::error_code error;
    fs::create_directories(folder, error);
    if (error) throw Error(context(path) + ": creating folder '" + folder.string() + "': " + error.message());
  }

  // Do not replace a journal another process is still appending to.
  if (const int old = ::open(path.c_str(), O_RDONLY | O_CLOEXEC); old >= 0) {
    RunJournal holder(path, old, {}, 0);  // closes it whatever happens
    lock_or_refuse(old, path);
  }

  // Build the header under a temporary name and rename it into place, so a
  // kill here leaves either the old journal or a complete new one.
  fs::path temporary = path;
  temporary += ".new";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) fail_system(temporary, "creating");
  const Bytes prefix = encode_header(header);
  RunJournal journal(path, fd, header, prefix.size());
  journal.records_start_ = prefix.size();
  try {
    lock_or_refuse(fd, temporary);
    write_all(fd, prefix.data(), prefix.size(), temporary);
    if (::rename(temporary.c_str(), path.c_str()) != 0)
      fail_system(path, "renaming '" + temporary.string() + "' onto it");
  } catch (...) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    throw;
  }
  return journal;
}

RunJournal RunJournal::open_for_resume(const fs::path& path, const JournalHeader& expected) {
  const int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      throw InputError(context(path) + ": not found, so there is no sweep to resume; run without --resume");
    }
    fail_system(path, "opening");
  }
  RunJournal journal(path, fd, expected, 0);  // closes fd if anything below throws
  lock_or_refuse(fd, path);
  struct stat info {};
  if (::fstat(fd, &info) != 0) fail_system(path, "reading its size");
  const StoredHeader stored = read_header(fd, static_cast<std::uint64_t>(info.st_size), path);
  check_same_scenario(stored, expected, path);
  journal.records_start_ = stored.records_start;
  journal.end_ = stored.records_start;
  journal.recovered_ = false;
  return journal;
}

JournalRecovery RunJournal::recover(const std::function<void(const RunRecord&, const RunResult&)>& on_run) {
  if (fd_ < 0) throw Error("run journal: recovering a moved-from journal");
  if (recovered_) throw Error(context(path_) + ": recover() on a journal that is new or already recovered");
  struct stat info {};
  if (::fstat(fd_, &info) != 0) fail_system(path_, "reading its size");

  // The intact records in order; buffers and the decoded run are reused, so
  // memory stays at one record. Nothing is written until all were read.
  RecordScanner scan(fd_, path_, records_start_, static_cast<std::uint64_t>(info.st_size));
  Bytes raw;
  RunRecord record;
  RunResult result;
  while (scan.next()) {
    // Past the CRCs, the record is what append() wrote: a failure now is a
    // writer bug or a forged file, not damage to skip.
    const auto record_problem = [&](const std::string& problem) {
      fail_damaged(path_, "record " + std::to_string(scan.found().records) + " passes its checksums but " + problem);
    };
    const RecordFrame& frame = scan.frame();
    if (frame.raw_size > std::numeric_limits<uLongf>::max()) record_problem("is too large");
    raw.resize(frame.raw_size);
    auto inflated = static_cast<uLongf>(frame.raw_size);
    if (::uncompress(raw.data(), &inflated, scan.payload().data(), static_cast<uLong>(scan.payload().size())) != Z_OK ||
        inflated != frame.raw_size) {
      record_problem("does not inflate");
    }
    Decoder payload(raw.data(), raw.size());
    if (auto problem = decode_run(payload, record, result)) record_problem(*problem);
    if (auto problem = shape_problem(header_, record, result)) record_problem(*problem);
    if (record.run != frame.run) {
      record_problem("holds run " + std::to_string(record.run) + " where its header says run " +
                     std::to_string(frame.run));
    }
    on_run(record, result);
  }

  JournalRecovery found = scan.found();
  if (found.damaged_records > 0 || found.damaged_bytes > 0) {
    // Damage in the middle: rewrite the intact records to a clean journal,
    // so appends follow them and the next resume finds no damage.
    compact();
    found.rewritten = true;
  } else {
    // At most a torn tail: cut it off so appends continue right after the
    // last intact record.
    if (scan.intact_end() < static_cast<std::uint64_t>(info.st_size) &&
        ::ftruncate(fd_, static_cast<off_t>(scan.intact_end())) != 0) {
      fail_system(path_, "cutting off its torn tail");
    }
    end_ = scan.intact_end();
  }
  next_sequence_ = found.records;
  recovered_ = true;
  return found;
}

void RunJournal::compact() {
  fs::path temporary = path_;
  temporary += ".new";
  const int fd = ::open(temporary.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) fail_system(temporary, "creating the repaired copy of the journal");
  RunJournal copy(path_, fd, header_, 0);  // closes fd if anything below throws
  try {
    lock_or_refuse(fd, temporary);
    // The file's header as it is (it passed its checks), then the intact
    // records, numbered afresh.
    Bytes buffer(records_start_);
    if (read_at(fd_, 0, buffer.data(), buffer.size(), path_) != buffer.size())
      throw Error(context(path_) + ": it shrank while being repaired");
    write_all(fd, buffer.data(), buffer.size(), temporary);
    std::uint64_t end = buffer.size();
    struct stat info {};
    if (::fstat(fd_, &info) != 0) fail_system(path_, "reading its size");
    RecordScanner scan(fd_, path_, records_start_, static_cast<std::uint64_t>(info.st_size));
    for (std::uint64_t sequence = 0; scan.next(); ++sequence) {
      RecordFrame frame = scan.frame();
      frame.sequence = sequence;
      buffer.resize(record_bytes(frame.compressed_size));
      encode_record_header(buffer.data(), frame);
      std::memcpy(buffer.data() + record_header_bytes, scan.payload().data(), scan.payload().size());
      encode_trailer(buffer.data() + buffer.size() - trailer_bytes, frame);
      write_all(fd, buffer.data(), buffer.size(), temporary);
      end += buffer.size();
    }
    if (::rename(temporary.c_str(), path_.c_str()) != 0)
      fail_system(path_, "renaming its repaired copy '" + temporary.string() + "' onto it");
    end_ = end;
  } catch (...) {
    std::error_code ignored;
    fs::remove(temporary, ignored);  // the journal itself is unchanged
    throw;
  }
  // Append to the repaired file from now on (its lock is already held).
  close();
  fd_ = std::exchange(copy.fd_, -1);
}

void RunJournal::append(const RunRecord& record, const RunResult& result) {
  if (fd_ < 0) throw Error("run journal: appending to a moved-from journal");
  if (!recovered_) throw Error(context(path_) + ": appending to a resumed journal before recover()");
  if (broken_) {
    throw Error(context(path_) + ": an earlier append failed and could not be undone; no more records");
  }
  if (auto problem = shape_problem(header_, record, result)) throw Error(context(path_) + ": " + *problem);

  Encoder payload(payload_);
  encode_run(payload, record, result);
  const Bytes& raw = payload_;

  // Header, payload and trailer in one buffer, so the record goes out in one write().
  std::size_t compressed_size = ::compressBound(static_cast<uLong>(raw.size()));
  Bytes& frame = frame_;
  frame.resize(record_header_bytes + compressed_size + trailer_bytes);
  unsigned char* const compressed = frame.data() + record_header_bytes;
  // compress2's format, without building a stream per record.
  if (zlib_compress(compressed, &compressed_size, raw.data(), raw.size(), compression_level) != Z_OK) {
    throw Error(context(path_) + ": run " + std::to_string(record.run) + ": zlib could not compress the record");
  }
  frame.resize(record_bytes(compressed_size));
  RecordFrame header;
  header.sequence = next_sequence_;
  header.run = record.run;
  header.compressed_size = compressed_size;
  header.raw_size = raw.size();
  header.payload_crc = crc_of(compressed, compressed_size);
  encode_record_header(frame.data(), header);
  encode_trailer(frame.data() + frame.size() - trailer_bytes, header);

  // A failed write (disk full) may leave part of the record: cut it off so
  // the file still ends at a record boundary; if even that fails, stop.
  try {
    write_all(fd_, frame.data(), frame.size(), path_);
  } catch (...) {
    if (::ftruncate(fd_, static_cast<off_t>(end_)) != 0) broken_ = true;
    throw;
  }
  end_ += frame.size();
  ++next_sequence_;
}

void RunJournal::sync() {
  if (fd_ < 0) throw Error("run journal: syncing a moved-from journal");
  if (::fsync(fd_) != 0) fail_system(path_, "syncing");
  // The rename in create() is only durable once the folder is synced too.
  const fs::path folder = path_.has_parent_path() ? path_.parent_path() : fs::path(".");
  const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) fail_system(path_, "opening its folder to sync it");
  const int synced = ::fsync(dir);
  const int error = errno;
  ::close(dir);
  errno = error;
  if (synced != 0) fail_system(path_, "syncing its folder");
}

void RunJournal::remove(const fs::path& path) {
  fs::path temporary = path;
  temporary += ".new";
  std::error_code error;
  fs::remove(temporary, error);  // a leftover of a killed create(): best effort
  fs::remove(path, error);
  if (error) throw Error(context(path) + ": removing: " + error.message());
}

void encode_run_payload(const RunRecord& record, const RunResult& result, std::vector<unsigned char>& out) {
  Encoder encoder(out);
  encode_run(encoder, record, result);
}

std::optional<std::string> decode_run_payload(const unsigned char* data, std::size_t size, RunRecord& record,
                                              RunResult& result) {
  Decoder decoder(data, size);
  return decode_run(decoder, record, result);
}

}  // namespace loyalsim::io
