// A thin RAII layer over the HDF5 C API, in the spirit of HighFive: every
// identifier is owned by a move-only handle that closes it, and every C return
// code is checked and turned into loyalsim::Hdf5Error carrying the HDF5 error
// stack. Messages start with where they come from:
//   "HDF5: creating dataset 'timeseries/customers' in 'results/x.h5': ..."
//
// The Debian HDF5 build is not thread-safe: use these objects from one thread
// at a time (and nothing else may call HDF5 concurrently).
#pragma once

#include <hdf5.h>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <ranges>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace loyalsim::io::hdf5 {

using Dims = std::vector<hsize_t>;
inline constexpr hsize_t unlimited = H5S_UNLIMITED;

// The HDF5 types of a C++ element type: `memory` is the native layout used
// for reading and writing, `file` the little-endian standard type stored on
// disk, so files are the same whatever machine wrote them.
template <typename T>
struct TypeOf;
template <>
struct TypeOf<std::int8_t> {
  static hid_t memory() { return H5T_NATIVE_INT8; }
  static hid_t file() { return H5T_STD_I8LE; }
};
template <>
struct TypeOf<std::int16_t> {
  static hid_t memory() { return H5T_NATIVE_INT16; }
  static hid_t file() { return H5T_STD_I16LE; }
};
template <>
struct TypeOf<std::int32_t> {
  static hid_t memory() { return H5T_NATIVE_INT32; }
  static hid_t file() { return H5T_STD_I32LE; }
};
template <>
struct TypeOf<std::int64_t> {
  static hid_t memory() { return H5T_NATIVE_INT64; }
  static hid_t file() { return H5T_STD_I64LE; }
};
template <>
struct TypeOf<std::uint8_t> {
  static hid_t memory() { return H5T_NATIVE_UINT8; }
  static hid_t file() { return H5T_STD_U8LE; }
};
template <>
struct TypeOf<std::uint16_t> {
  static hid_t memory() { return H5T_NATIVE_UINT16; }
  static hid_t file() { return H5T_STD_U16LE; }
};
template <>
struct TypeOf<std::uint32_t> {
  static hid_t memory() { return H5T_NATIVE_UINT32; }
  static hid_t file() { return H5T_STD_U32LE; }
};
template <>
struct TypeOf<std::uint64_t> {
  static hid_t memory() { return H5T_NATIVE_UINT64; }
  static hid_t file() { return H5T_STD_U64LE; }
};
template <>
struct TypeOf<float> {
  static hid_t memory() { return H5T_NATIVE_FLOAT; }
  static hid_t file() { return H5T_IEEE_F32LE; }
};
template <>
struct TypeOf<double> {
  static hid_t memory() { return H5T_NATIVE_DOUBLE; }
  static hid_t file() { return H5T_IEEE_F64LE; }
};

template <typename T>
concept Element = requires {
  { TypeOf<T>::memory() } -> std::same_as<hid_t>;
};

template <typename R>
concept ElementRange = std::ranges::contiguous_range<R> && std::ranges::sized_range<R> &&
    Element<std::remove_cv_t<std::ranges::range_value_t<R>>>;

// Owns one identifier and closes it with the function of its kind. A handle
// without a close function borrows a predefined identifier (H5T_NATIVE_INT...).
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);

  Handle() noexcept = default;
  Handle(hid_t id, Closer closer) noexcept : id_(id), closer_(closer) {}
  Handle(Handle&& other) noexcept;
  Handle& operator=(Handle&& other) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle();  // closes without checking: destructors must not throw

  hid_t id() const noexcept { return id_; }
  bool is_open() const noexcept { return id_ >= 0; }

  // Closes now and reports a failure: closing a file is where buffered data
  // reach the disk, so callers that care (commit) close explicitly.
  void close(std::string_view where);

 private:
  void release() noexcept;
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

class Datatype {
 public:
  // Variable-length UTF-8 string, the type netCDF-4 readers map to `string`.
  static Datatype utf8_string();
  // A predefined type, borrowed (never closed).
  static Datatype predefined(hid_t id);
  template <Element T>
  static Datatype stored_as() {
    return predefined(TypeOf<T>::file());
  }

  hid_t id() const noexcept { return handle_.id(); }
  bool is_utf8_string() const;  // variable-length UTF-8 string
  bool equals(hid_t other) const;

 private:
  friend class Object;
  friend class Dataset;
  explicit Datatype(Handle handle) : handle_(std::move(handle)) {}
  Handle handle_;
};

class Dataspace {
 public:
  static Dataspace scalar();
  static Dataspace simple(const Dims& dims);
  static Dataspace simple(const Dims& dims, const Dims& max_dims);

  hid_t id() const noexcept { return handle_.id(); }
  Dims dims() const;
  Dims max_dims() const;
  hsize_t element_count() const;
  void select(const Dims& start, const Dims& count);  // one hyperslab

 private:
  friend class Dataset;
  explicit Dataspace(Handle handle) : handle_(std::move(handle)) {}
  Handle handle_;
};

// Dataset creation property list. Attribute creation order is tracked, as
// netCDF-4 does, so readers list attributes in the order they were written.
class DatasetCreation {
 public:
  DatasetCreation();

  DatasetCreation& chunk(const Dims& chunk_dims);
  DatasetCreation& shuffle();
  DatasetCreation& deflate(unsigned level);
  template <Element T>
  DatasetCreation& fill_value(T value) {
    return set_fill_value(TypeOf<T>::memory(), &value);
  }

  hid_t id() const noexcept { return handle_.id(); }

 private:
  DatasetCreation& set_fill_value(hid_t memory_type, const void* value);
  Handle handle_;
};

// A file, group or dataset: something that carries attributes. Every object
// remembers the label of its file (the path the user knows it by) for messages.
class Object {
 public:
  hid_t id() const noexcept { return handle_.id(); }
  std::string path() const;  // "/timeseries/customers"
  const std::string& file_label() const noexcept { return file_label_; }

  bool has_attribute(std::string_view name) const;
  std::vector<std::string> attribute_names() const;

  // Strings are stored as variable-length UTF-8 (h5py and netCDF read them as
  // str; fixed-length "S1" strings would come back as bytes).
  void write_attribute(std::string_view name, std::string_view text);
  void write_attribute(std::string_view name, const std::vector<std::string>& texts);
  template <Element T>
  void write_attribute(std::string_view name, T value) {
    write_attribute_raw(name, TypeOf<T>::file(), TypeOf<T>::memory(), &value, {});
  }
  template <Element T>
  void write_attribute(std::string_view name, const std::vector<T>& values) {
    write_attribute_raw(name, TypeOf<T>::file(), TypeOf<T>::memory(), values.data(), Dims{values.size()});
  }

  std::string read_string_attribute(std::string_view name) const;
  std::vector<std::string> read_strings_attribute(std::string_view name) const;
  // Any attribute of numbers, scalar (one value) or 1-D, converted to T.
  template <Element T>
  std::vector<T> read_attribute(std::string_view name) const {
    std::vector<T> values(attribute_element_count(name));
    read_attribute_raw(name, TypeOf<T>::memory(), values.data());
    return values;
  }
  Datatype attribute_type(std::string_view name) const;

  // Closes now, reporting failures (see Handle::close).
  void close();

 protected:
  Object() = default;
  Object(Handle handle, std::string file_label) : handle_(std::move(handle)), file_label_(std::move(file_label)) {}

  // "HDF5: <doing> '<path>' in '<file>'", the prefix of every message.
  std::string where(std::string_view doing) const;
  std::string where(std::string_view doing, std::string_view child) const;
  // The path without its leading slash ("timeseries/customers"); never throws.
  std::string display_path() const;

 private:
  void write_attribute_raw(std::string_view name, hid_t file_type, hid_t memory_type, const void* data,
                           const Dims& dims);
  void read_attribute_raw(std::string_view name, hid_t memory_type, void* data) const;
  std::size_t attribute_element_count(std::string_view name) const;

  Handle handle_;
  std::string file_label_;
};

class Dataset : public Object {
 public:
  Dataset() = default;

  Dataspace space() const;
  Datatype type() const;
  Dims dims() const { return space().dims(); }

  // Writes or reads the hyperslab [start, start + count); data are in C order.
  template <ElementRange R>
  void write(const R& data, const Dims& start, const Dims& count) {
    using T = std::remove_cv_t<std::ranges::range_value_t<R>>;
    write_raw(TypeOf<T>::memory(), std::ranges::data(data), std::ranges::size(data), start, count);
  }
  template <ElementRange R>
  void write(const R& data) {
    using T = std::remove_cv_t<std::ranges::range_value_t<R>>;
    write_raw(TypeOf<T>::memory(), std::ranges::data(data), std::ranges::size(data), {}, {});
  }
  template <Element T>
  std::vector<T> read(const Dims& start, const Dims& count) const {
    std::vector<T> values(product(count));
    read_raw(TypeOf<T>::memory(), values.data(), start, count);
    return values;
  }
  template <Element T>
  std::vector<T> read() const {
    std::vector<T> values(space().element_count());
    read_raw(TypeOf<T>::memory(), values.data(), {}, {});
    return values;
  }
  void write_strings(const std::vector<std::string>& texts);  // whole 1-D dataset
  void write_strings(const std::vector<std::string>& texts, const Dims& start, const Dims& count);
  // A 1-D dataset: data[i] to element rows[i], all in one call (so each
  // chunk touched is read, filtered and written once, not once per row).
  template <ElementRange R>
  void write_elements(const R& data, const std::vector<hsize_t>& rows) {
    using T = std::remove_cv_t<std::ranges::range_value_t<R>>;
    write_elements_raw(TypeOf<T>::memory(), std::ranges::data(data), std::ranges::size(data), rows);
  }
  void write_strings_at(const std::vector<std::string>& texts, const std::vector<hsize_t>& rows);

  // How a chunked dataset stores its chunks: the chunk's dimensions (empty
  // if the dataset is not chunked) and the filters in pipeline order, each
  // with its parameters as the file records them.
  struct Filter {
    H5Z_filter_t id = H5Z_FILTER_NONE;
    std::vector<unsigned> values;
  };
  struct ChunkLayout {
    Dims chunk;
    std::vector<Filter> filters;
  };
  ChunkLayout chunk_layout() const;
  // Stores one chunk, the one starting at `offset` (a multiple of the chunk
  // dimensions), as `bytes`: the chunk after every filter of the dataset's
  // pipeline, which the caller has applied (H5Dwrite_chunk, filter mask 0).
  void write_chunk(const Dims& offset, const void* bytes, std::size_t size);
  std::vector<std::string> read_strings() const;

  // Grows a dataset created with unlimited max_dims.
  void extend(const Dims& new_dims);

  // Dimension scales (the HDF5 high-level H5DS API).
  void make_dimension_scale(std::string_view dimension_name);
  void attach_dimension_scale(const Dataset& scale, unsigned axis);
  void set_dimension_label(unsigned axis, std::string_view label);
  bool is_dimension_scale() const;
  bool has_dimension_scale(const Dataset& scale, unsigned axis) const;
  std::string dimension_label(unsigned axis) const;

 private:
  friend class Location;
  Dataset(Handle handle, std::string file_label) : Object(std::move(handle), std::move(file_label)) {}

  static std::size_t product(const Dims& dims);
  // Empty start and count select the whole dataset.
  void write_raw(hid_t memory_type, const void* data, std::size_t size, const Dims& start, const Dims& count);
  void write_elements_raw(hid_t memory_type, const void* data, std::size_t size, const std::vector<hsize_t>& rows);
  void read_raw(hid_t memory_type, void* data, const Dims& start, const Dims& count) const;
};

class Group;

// A file or a group: something that holds groups and datasets.
class Location : public Object {
 public:
  Group create_group(std::string_view name);
  Group open_group(std::string_view name) const;
  Dataset create_dataset(std::string_view name, const Datatype& type, const Dataspace& space,
                         const DatasetCreation& options = DatasetCreation());
  Dataset open_dataset(std::string_view name) const;
  bool contains(std::string_view name) const;  // a direct child of that name
  std::vector<std::string> child_names() const;

 protected:
  Location() = default;
  Location(Handle handle, std::string file_label) : Object(std::move(handle), std::move(file_label)) {}
};

class Group : public Location {
 public:
  Group() = default;

 private:
  friend class Location;
  Group(Handle handle, std::string file_label) : Location(std::move(handle), std::move(file_label)) {}
};

class File : public Location {
 public:
  enum class Access { read_only, read_write };

  File() = default;
  // Creates (truncating) a file in the HDF5 1.8 format, which every current
  // reader opens. `label` names the file in messages; default: its path.
  static File create(const std::filesystem::path& path, std::string label = {});
  static File open(const std::filesystem::path& path, Access access, std::string label = {});

  void flush();
  // Identifiers still open in this file, the file itself included.
  std::size_t open_object_count() const;

 private:
  File(Handle handle, std::string file_label) : Location(std::move(handle), std::move(file_label)) {}
};

}  // namespace loyalsim::io::hdf5
