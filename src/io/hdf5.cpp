#include "io/hdf5.hpp"

#include <hdf5_hl.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <utility>

#include "core/errors.hpp"

namespace loyalsim::io::hdf5 {
namespace {

// HDF5 prints its error stack to stderr by default (a 30-line dump per
// failure); we carry it in the exception instead, as one line. This build of
// HDF5 is thread-safe, so the setting belongs to each thread's own error
// stack: a sweep writes runs from TBB worker threads, so every entry point
// below silences the calling thread first (once per thread).
//
// H5dont_atexit, once per process and before the library starts: after a
// failed write (disk full) a file's H5Fclose fails and leaves the file in
// HDF5's table, and the library's own atexit clean-up then crashes on it
// (SIGSEGV after the error message). Every file is closed by its owner, so
// the clean-up has nothing to do anyway.
void silence_automatic_error_printing() noexcept {
  static const bool no_atexit = [] {
    H5dont_atexit();
    return true;
  }();
  thread_local const bool silenced = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)no_atexit;
  (void)silenced;
}

struct StackEntry {
  std::string description;
  hid_t minor = H5I_INVALID_HID;
};

herr_t collect_entry(unsigned /*depth*/, const H5E_error2_t* error, void* client) noexcept {
  try {
    static_cast<std::vector<StackEntry>*>(client)->push_back(
        {error->desc != nullptr ? error->desc : "", error->min_num});
    return 0;
  } catch (...) {
    return -1;
  }
}

std::string message_text(hid_t message_id) {
  const ssize_t size = H5Eget_msg(message_id, nullptr, nullptr, 0);
  if (size <= 0) return {};
  std::string text(static_cast<std::size_t>(size) + 1, '\0');
  H5Eget_msg(message_id, nullptr, text.data(), text.size());
  text.resize(static_cast<std::size_t>(size));
  return text;
}

bool contains_ignoring_case(std::string_view text, std::string_view part) {
  // std::search, not std::ranges::search: clang 14 cannot compile the
  // latter's subrange result with GCC 12's standard library.
  const auto same = [](unsigned char a, unsigned char b) { return std::tolower(a) == std::tolower(b); };
  return std::search(text.begin(), text.end(), part.begin(), part.end(), same) != text.end();
}

// HDF5's messages for a failed write carry a multi-line dump of the call
// ("file write failed: time = ..., filename = ..., errno = 28, error message
// = 'No space left on device', buf = ..."): only the system's own message
// is kept, and the text is made one line.
std::string one_line(std::string text) {
  constexpr std::string_view marker = "error message = '";
  if (const auto at = text.find(marker); at != std::string::npos) {
    const auto start = at + marker.size();
    const auto end = text.find('\'', start);
    const std::string system = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    auto cut = text.find("time =");
    if (cut == std::string::npos) cut = at;
    text = text.substr(0, cut);
    while (!text.empty() && (text.back() == ' ' || text.back() == ':' || text.back() == ',')) text.pop_back();
    text += ": " + system;
  }
  std::string line;
  for (const char c : text) {
    const bool space = c == '\n' || c == '\r' || c == '\t' || c == ' ';
    if (space && (line.empty() || line.back() == ' ')) continue;
    line += space ? ' ' : c;
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

// The current error stack as one line, outermost call first: the API
// function's complaint, then the innermost cause, which usually says what
// actually went wrong ("name already exists"). Clears the stack.
std::string take_error_stack() {
  std::vector<StackEntry> entries;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_entry, &entries);
  H5Eclear2(H5E_DEFAULT);
  if (entries.empty()) return "HDF5 gave no detail";

  const std::string& outermost = entries.front().description;
  const std::string& innermost = entries.back().description;
  std::string text = innermost.starts_with(outermost) ? innermost : outermost + ": " + innermost;
  // The minor message names the class of error ("Object already exists");
  // left out when the descriptions already say it.
  if (const std::string minor = message_text(entries.back().minor);
      !minor.empty() && !contains_ignoring_case(text, minor)) {
    text += " (" + minor + ")";
  }
  return one_line(std::move(text));
}

// The stack is read before `where` runs: building the message calls HDF5
// again (H5Iget_name), and every API call clears the stack on entry.
template <typename Where>
[[noreturn]] void fail(Where&& where) {
  std::string stack = take_error_stack();
  throw Hdf5Error(where() + ": " + stack);
}

template <typename Where>
hid_t check_id(hid_t id, Where&& where) {
  if (id < 0) fail(where);
  return id;
}

template <typename Where>
void check(herr_t status, Where&& where) {
  if (status < 0) fail(where);
}

template <typename Where>
bool check_tri(htri_t answer, Where&& where) {
  if (answer < 0) fail(where);
  return answer > 0;
}

auto text(std::string message) {
  return [message = std::move(message)] { return message; };
}

// Appended rather than "'" + name + "'": GCC 12 at -O2 gives a false
// -Wrestrict warning for a literal prepended to a std::string.
std::string in_quotes(std::string_view name) {
  std::string quoted;
  quoted.reserve(name.size() + 2);
  quoted.append(1, '\'').append(name).append(1, '\'');
  return quoted;
}

Handle make_string_type() {
  silence_automatic_error_printing();
  const auto where = text("HDF5: creating a UTF-8 string datatype");
  Handle type(check_id(H5Tcopy(H5T_C_S1), where), H5Tclose);
  check(H5Tset_size(type.id(), H5T_VARIABLE), where);
  check(H5Tset_cset(type.id(), H5T_CSET_UTF8), where);
  return type;
}

std::size_t element_count_of(hid_t space, const std::string& where) {
  const hssize_t count = H5Sget_simple_extent_npoints(space);
  if (count < 0) fail(text(where));
  return static_cast<std::size_t>(count);
}

// Reads string elements, variable-length or fixed-length, through `read`
// (an H5Aread or H5Dread bound to its object), freeing HDF5's buffers.
template <typename Read>
std::vector<std::string> read_string_elements(hid_t stored_type, std::size_t count, Read&& read,
                                              const std::string& where) {
  std::vector<std::string> texts;
  texts.reserve(count);
  if (check_tri(H5Tis_variable_str(stored_type), text(where))) {
    const Handle memory_type = make_string_type();
    std::vector<char*> pointers(count, nullptr);
    check(read(memory_type.id(), pointers.data()), text(where));
    for (char* p : pointers) {
      texts.emplace_back(p != nullptr ? p : "");
      H5free_memory(p);
    }
    return texts;
  }
  const std::size_t size = H5Tget_size(stored_type);
  if (size == 0) fail(text(where));
  const Handle memory_type(check_id(H5Tcopy(stored_type), text(where)), H5Tclose);
  std::vector<char> buffer(size * count);
  check(read(memory_type.id(), buffer.data()), text(where));
  for (std::size_t i = 0; i < count; ++i) {
    const char* element = buffer.data() + i * size;
    texts.emplace_back(element, strnlen(element, size));
  }
  return texts;
}

std::vector<const char*> c_strings(const std::vector<std::string>& texts) {
  std::vector<const char*> pointers;
  pointers.reserve(texts.size());
  for (const auto& t : texts) pointers.push_back(t.c_str());
  return pointers;
}

// Groups and the root group index links and attributes by creation order,
// as netCDF-4 files do; some netCDF-C versions refuse groups that do not.
void track_creation_order(hid_t plist, const std::string& where) {
  constexpr unsigned flags = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;
  check(H5Pset_link_creation_order(plist, flags), text(where));
  check(H5Pset_attr_creation_order(plist, flags), text(where));
}

}  // namespace

// ---------------------------------------------------------------- Handle

Handle::Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    release();
    id_ = std::exchange(other.id_, H5I_INVALID_HID);
    closer_ = other.closer_;
  }
  return *this;
}

Handle::~Handle() { release(); }

void Handle::release() noexcept {
  silence_automatic_error_printing();
  if (id_ >= 0 && closer_ != nullptr) closer_(id_);
  id_ = H5I_INVALID_HID;
}

void Handle::close(std::string_view where) {
  silence_automatic_error_printing();
  if (id_ < 0) return;
  const hid_t id = std::exchange(id_, H5I_INVALID_HID);
  if (closer_ != nullptr && closer_(id) < 0) fail(text(std::string(where)));
}

// ---------------------------------------------------------------- Datatype

Datatype Datatype::utf8_string() { return Datatype(make_string_type()); }

Datatype Datatype::predefined(hid_t id) { return Datatype(Handle(id, nullptr)); }

bool Datatype::is_utf8_string() const {
  const auto where = text("HDF5: inspecting a datatype");
  if (H5Tget_class(id()) != H5T_STRING) return false;
  return check_tri(H5Tis_variable_str(id()), where) && H5Tget_cset(id()) == H5T_CSET_UTF8;
}

bool Datatype::equals(hid_t other) const {
  silence_automatic_error_printing();
  return check_tri(H5Tequal(id(), other), text("HDF5: comparing datatypes"));
}

// ---------------------------------------------------------------- Dataspace

Dataspace Dataspace::scalar() {
  silence_automatic_error_printing();
  return Dataspace(Handle(check_id(H5Screate(H5S_SCALAR), text("HDF5: creating a scalar dataspace")), H5Sclose));
}

Dataspace Dataspace::simple(const Dims& dims) { return simple(dims, dims); }

Dataspace Dataspace::simple(const Dims& dims, const Dims& max_dims) {
  silence_automatic_error_printing();
  if (dims.empty()) return scalar();
  const auto where = text("HDF5: creating a dataspace of rank " + std::to_string(dims.size()));
  if (max_dims.size() != dims.size()) {
    throw Hdf5Error(where() + ": " + std::to_string(max_dims.size()) + " maximum dimensions");
  }
  return Dataspace(
      Handle(check_id(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), max_dims.data()), where), H5Sclose));
}

Dims Dataspace::dims() const {
  silence_automatic_error_printing();
  const auto where = text("HDF5: reading the dimensions of a dataspace");
  const int rank = H5Sget_simple_extent_ndims(id());
  if (rank < 0) fail(where);
  Dims result(static_cast<std::size_t>(rank));
  if (rank > 0) check(H5Sget_simple_extent_dims(id(), result.data(), nullptr), where);
  return result;
}

Dims Dataspace::max_dims() const {
  silence_automatic_error_printing();
  const auto where = text("HDF5: reading the maximum dimensions of a dataspace");
  const int rank = H5Sget_simple_extent_ndims(id());
  if (rank < 0) fail(where);
  Dims result(static_cast<std::size_t>(rank));
  if (rank > 0) check(H5Sget_simple_extent_dims(id(), nullptr, result.data()), where);
  return result;
}

hsize_t Dataspace::element_count() const {
  silence_automatic_error_printing();
  return element_count_of(id(), "HDF5: counting the elements of a dataspace");
}

void Dataspace::select(const Dims& start, const Dims& count) {
  silence_automatic_error_printing();
  const auto where = text("HDF5: selecting a hyperslab");
  if (start.size() != count.size() || start.size() != dims().size()) {
    throw Hdf5Error(where() + ": start, count and dataspace ranks differ");
  }
  check(H5Sselect_hyperslab(id(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr), where);
}

// ---------------------------------------------------------------- DatasetCreation

DatasetCreation::DatasetCreation() {
  silence_automatic_error_printing();
  const auto where = text("HDF5: creating a dataset creation property list");
  handle_ = Handle(check_id(H5Pcreate(H5P_DATASET_CREATE), where), H5Pclose);
  check(H5Pset_attr_creation_order(id(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED), where);
}

DatasetCreation& DatasetCreation::chunk(const Dims& chunk_dims) {
  silence_automatic_error_printing();
  check(H5Pset_chunk(id(), static_cast<int>(chunk_dims.size()), chunk_dims.data()),
        text("HDF5: setting chunk dimensions"));
  return *this;
}

DatasetCreation& DatasetCreation::shuffle() {
  silence_automatic_error_printing();
  check(H5Pset_shuffle(id()), text("HDF5: adding the shuffle filter"));
  return *this;
}

DatasetCreation& DatasetCreation::deflate(unsigned level) {
  silence_automatic_error_printing();
  check(H5Pset_deflate(id(), level), text("HDF5: adding the deflate filter"));
  return *this;
}

DatasetCreation& DatasetCreation::set_fill_value(hid_t memory_type, const void* value) {
  silence_automatic_error_printing();
  check(H5Pset_fill_value(id(), memory_type, value), text("HDF5: setting a fill value"));
  return *this;
}

// ---------------------------------------------------------------- Object

std::string Object::path() const {
  silence_automatic_error_printing();
  const auto where = [this] { return "HDF5: reading an object name in " + in_quotes(file_label_); };
  const ssize_t size = H5Iget_name(id(), nullptr, 0);
  if (size < 0) fail(where);
  std::string name(static_cast<std::size_t>(size) + 1, '\0');
  if (H5Iget_name(id(), name.data(), name.size()) < 0) fail(where);
  name.resize(static_cast<std::size_t>(size));
  return name;
}

// The object's path without the leading slash ("timeseries/customers"), for
// messages; never fails, since it is used while reporting another failure.
std::string Object::display_path() const {
  silence_automatic_error_printing();
  const ssize_t size = H5Iget_name(id(), nullptr, 0);
  if (size <= 0) return "?";
  std::string name(static_cast<std::size_t>(size) + 1, '\0');
  if (H5Iget_name(id(), name.data(), name.size()) < 0) return "?";
  name.resize(static_cast<std::size_t>(size));
  if (name.size() > 1) name.erase(0, 1);
  return name;
}

std::string Object::where(std::string_view doing) const {
  silence_automatic_error_printing();
  return "HDF5: " + std::string(doing) + " " + in_quotes(display_path()) + " in " + in_quotes(file_label_);
}

std::string Object::where(std::string_view doing, std::string_view child) const {
  silence_automatic_error_printing();
  std::string parent = display_path();
  parent = parent == "/" ? std::string() : parent + "/";
  return "HDF5: " + std::string(doing) + " " + in_quotes(parent + std::string(child)) + " in " + in_quotes(file_label_);
}

bool Object::has_attribute(std::string_view name) const {
  silence_automatic_error_printing();
  const std::string n(name);
  return check_tri(H5Aexists(id(), n.c_str()),
                   [&] { return where("looking for attribute " + in_quotes(name) + " of"); });
}

std::vector<std::string> Object::attribute_names() const {
  silence_automatic_error_printing();
  std::vector<std::string> names;
  const auto collect = [](hid_t, const char* name, const H5A_info_t*, void* client) -> herr_t {
    try {
      static_cast<std::vector<std::string>*>(client)->emplace_back(name);
      return 0;
    } catch (...) {
      return -1;
    }
  };
  hsize_t position = 0;
  check(H5Aiterate2(id(), H5_INDEX_NAME, H5_ITER_INC, &position, collect, &names),
        [&] { return where("listing the attributes of"); });
  return names;
}

void Object::write_attribute_raw(std::string_view name, hid_t file_type, hid_t memory_type, const void* data,
                                 const Dims& dims) {
  silence_automatic_error_printing();
  const std::string n(name);
  const auto here = [&] { return where("writing attribute " + in_quotes(name) + " of"); };
  // Rewriting replaces: the new value may differ in type or shape.
  if (check_tri(H5Aexists(id(), n.c_str()), here)) check(H5Adelete(id(), n.c_str()), here);
  const Dataspace space = dims.empty() ? Dataspace::scalar() : Dataspace::simple(dims);
  const Handle attribute(check_id(H5Acreate2(id(), n.c_str(), file_type, space.id(), H5P_DEFAULT, H5P_DEFAULT), here),
                         H5Aclose);
  check(H5Awrite(attribute.id(), memory_type, data), here);
}

void Object::write_attribute(std::string_view name, std::string_view value) {
  silence_automatic_error_printing();
  const Datatype type = Datatype::utf8_string();
  const std::string owned(value);
  const char* pointer = owned.c_str();
  write_attribute_raw(name, type.id(), type.id(), &pointer, {});
}

void Object::write_attribute(std::string_view name, const std::vector<std::string>& texts) {
  silence_automatic_error_printing();
  const Datatype type = Datatype::utf8_string();
  const std::vector<const char*> pointers = c_strings(texts);
  write_attribute_raw(name, type.id(), type.id(), pointers.data(), Dims{texts.size()});
}

std::size_t Object::attribute_element_count(std::string_view name) const {
  silence_automatic_error_printing();
  const std::string n(name);
  const std::string here = where("reading attribute " + in_quotes(name) + " of");
  const Handle attribute(check_id(H5Aopen(id(), n.c_str(), H5P_DEFAULT), text(here)), H5Aclose);
  const Handle space(check_id(H5Aget_space(attribute.id()), text(here)), H5Sclose);
  return element_count_of(space.id(), here);
}

void Object::read_attribute_raw(std::string_view name, hid_t memory_type, void* data) const {
  silence_automatic_error_printing();
  const std::string n(name);
  const auto here = [&] { return where("reading attribute " + in_quotes(name) + " of"); };
  const Handle attribute(check_id(H5Aopen(id(), n.c_str(), H5P_DEFAULT), here), H5Aclose);
  check(H5Aread(attribute.id(), memory_type, data), here);
}

std::vector<std::string> Object::read_strings_attribute(std::string_view name) const {
  silence_automatic_error_printing();
  const std::string n(name);
  const std::string here = where("reading attribute " + in_quotes(name) + " of");
  const Handle attribute(check_id(H5Aopen(id(), n.c_str(), H5P_DEFAULT), text(here)), H5Aclose);
  const Handle type(check_id(H5Aget_type(attribute.id()), text(here)), H5Tclose);
  const Handle space(check_id(H5Aget_space(attribute.id()), text(here)), H5Sclose);
  if (H5Tget_class(type.id()) != H5T_STRING) throw Hdf5Error(here + ": not a string");
  return read_string_elements(
      type.id(), element_count_of(space.id(), here),
      [&](hid_t memory_type, void* buffer) { return H5Aread(attribute.id(), memory_type, buffer); }, here);
}

std::string Object::read_string_attribute(std::string_view name) const {
  silence_automatic_error_printing();
  std::vector<std::string> texts = read_strings_attribute(name);
  if (texts.size() != 1) {
    throw Hdf5Error(where("reading attribute " + in_quotes(name) + " of") + ": " + std::to_string(texts.size()) +
                    " strings, expected one");
  }
  return std::move(texts.front());
}

Datatype Object::attribute_type(std::string_view name) const {
  silence_automatic_error_printing();
  const std::string n(name);
  const auto here = [&] { return where("reading the type of attribute " + in_quotes(name) + " of"); };
  const Handle attribute(check_id(H5Aopen(id(), n.c_str(), H5P_DEFAULT), here), H5Aclose);
  return Datatype(Handle(check_id(H5Aget_type(attribute.id()), here), H5Tclose));
}

void Object::close() {
  silence_automatic_error_printing();
  if (!handle_.is_open()) return;
  handle_.close(where("closing"));
}

// ---------------------------------------------------------------- Dataset

Dataspace Dataset::space() const {
  silence_automatic_error_printing();
  return Dataspace(
      Handle(check_id(H5Dget_space(id()), [this] { return where("reading the dataspace of"); }), H5Sclose));
}

Datatype Dataset::type() const {
  silence_automatic_error_printing();
  return Datatype(Handle(check_id(H5Dget_type(id()), [this] { return where("reading the datatype of"); }), H5Tclose));
}

std::size_t Dataset::product(const Dims& dims) {
  std::size_t n = 1;
  for (hsize_t d : dims) n *= static_cast<std::size_t>(d);
  return n;
}

void Dataset::write_raw(hid_t memory_type, const void* data, std::size_t size, const Dims& start, const Dims& count) {
  silence_automatic_error_printing();
  const auto here = [this] { return where("writing dataset"); };
  Dataspace file_space = space();
  const bool whole = start.empty() && count.empty();
  const std::size_t selected = whole ? file_space.element_count() : product(count);
  if (size != selected) {
    throw Hdf5Error(here() + ": " + std::to_string(size) + " values given for a selection of " +
                    std::to_string(selected));
  }
  if (whole) {
    check(H5Dwrite(id(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), here);
    return;
  }
  file_space.select(start, count);
  const Dataspace memory_space = Dataspace::simple(count);
  check(H5Dwrite(id(), memory_type, memory_space.id(), file_space.id(), H5P_DEFAULT, data), here);
}

void Dataset::read_raw(hid_t memory_type, void* data, const Dims& start, const Dims& count) const {
  silence_automatic_error_printing();
  const auto here = [this] { return where("reading dataset"); };
  if (start.empty() && count.empty()) {
    check(H5Dread(id(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), here);
    return;
  }
  Dataspace file_space = space();
  file_space.select(start, count);
  const Dataspace memory_space = Dataspace::simple(count);
  check(H5Dread(id(), memory_type, memory_space.id(), file_space.id(), H5P_DEFAULT, data), here);
}

void Dataset::write_strings(const std::vector<std::string>& texts) {
  silence_automatic_error_printing();
  const auto here = [this] { return where("writing dataset"); };
  const std::size_t selected = space().element_count();
  if (texts.size() != selected) {
    throw Hdf5Error(here() + ": " + std::to_string(texts.size()) + " strings given for a dataset of " +
                    std::to_string(selected));
  }
  const Datatype type = Datatype::utf8_string();
  const std::vector<const char*> pointers = c_strings(texts);
  check(H5Dwrite(id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()), here);
}

void Dataset::write_strings(const std::vector<std::string>& texts, const Dims& start, const Dims& count) {
  const Datatype type = Datatype::utf8_string();
  const std::vector<const char*> pointers = c_strings(texts);
  write_raw(type.id(), pointers.data(), pointers.size(), start, count);
}

void Dataset::write_elements_raw(hid_t memory_type, const void* data, std::size_t size,
                                 const std::vector<hsize_t>& rows) {
  silence_automatic_error_printing();
  const auto here = [this] { return where("writing dataset"); };
  if (size != rows.size()) {
    throw Hdf5Error(here() + ": " + std::to_string(size) + " values given for " + std::to_string(rows.size()) +
                    " elements");
  }
  if (rows.empty()) return;
  Dataspace file_space = space();
  if (file_space.dims().size() != 1) throw Hdf5Error(here() + ": elements by row need a 1-D dataset");
  check(H5Sselect_elements(file_space.id(), H5S_SELECT_SET, rows.size(), rows.data()), here);
  const Dataspace memory_space = Dataspace::simple({rows.size()});
  check(H5Dwrite(id(), memory_type, memory_space.id(), file_space.id(), H5P_DEFAULT, data), here);
}

void Dataset::write_strings_at(const std::vector<std::string>& texts, const std::vector<hsize_t>& rows) {
  const Datatype type = Datatype::utf8_string();
  const std::vector<const char*> pointers = c_strings(texts);
  write_elements_raw(type.id(), pointers.data(), pointers.size(), rows);
}

Dataset::ChunkLayout Dataset::chunk_layout() const {
  silence_automatic_error_printing();
  const auto here = [this] { return where("reading the chunk layout of dataset"); };
  const Handle creation(check_id(H5Dget_create_plist(id()), here), H5Pclose);
  ChunkLayout layout;
  if (H5Pget_layout(creation.id()) != H5D_CHUNKED) return layout;
  const int rank = H5Pget_chunk(creation.id(), 0, nullptr);
  if (rank < 0) fail(here);
  layout.chunk.resize(static_cast<std::size_t>(rank));
  if (H5Pget_chunk(creation.id(), rank, layout.chunk.data()) < 0) fail(here);
  const int filters = H5Pget_nfilters(creation.id());
  if (filters < 0) fail(here);
  for (int i = 0; i < filters; ++i) {
    Filter filter;
    unsigned flags = 0;
    std::size_t count = 8;
    filter.values.resize(count);
    filter.id = H5Pget_filter2(creation.id(), static_cast<unsigned>(i), &flags, &count, filter.values.data(), 0,
                               nullptr, nullptr);
    if (filter.id < 0) fail(here);
    // `count` comes back as the filter's number of values, which may exceed the room given.
    if (count > filter.values.size()) {
      filter.values.resize(count);
      if (H5Pget_filter2(creation.id(), static_cast<unsigned>(i), &flags, &count, filter.values.data(), 0, nullptr,
                         nullptr) < 0)
        fail(here);
    }
    filter.values.resize(count);
    layout.filters.push_back(std::move(filter));
  }
  return layout;
}

void Dataset::write_chunk(const Dims& offset, const void* bytes, std::size_t size) {
  silence_automatic_error_printing();
  check(H5Dwrite_chunk(id(), H5P_DEFAULT, 0, offset.data(), size, bytes),
        [this] { return where("writing a chunk of dataset"); });
}

std::vector<std::string> Dataset::read_strings() const {
  silence_automatic_error_printing();
  const std::string here = where("reading dataset");
  const Datatype stored = type();
  if (H5Tget_class(stored.id()) != H5T_STRING) throw Hdf5Error(here + ": not strings");
  return read_string_elements(
      stored.id(), space().element_count(),
      [&](hid_t memory_type, void* buffer) {
        return H5Dread(id(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
      },
      here);
}

void Dataset::extend(const Dims& new_dims) {
  silence_automatic_error_printing();
  check(H5Dset_extent(id(), new_dims.data()), [this] { return where("extending dataset"); });
}

void Dataset::make_dimension_scale(std::string_view dimension_name) {
  silence_automatic_error_printing();
  const std::string name(dimension_name);
  check(H5DSset_scale(id(), name.c_str()), [this] { return where("making a dimension scale of dataset"); });
}

void Dataset::attach_dimension_scale(const Dataset& scale, unsigned axis) {
  silence_automatic_error_printing();
  check(H5DSattach_scale(id(), scale.id(), axis), [&] {
    return where("attaching dimension scale " + in_quotes(scale.display_path()) + " to axis " + std::to_string(axis) +
                 " of dataset");
  });
}

void Dataset::set_dimension_label(unsigned axis, std::string_view label) {
  silence_automatic_error_printing();
  const std::string l(label);
  check(H5DSset_label(id(), axis, l.c_str()),
        [&] { return where("labelling axis " + std::to_string(axis) + " of dataset"); });
}

bool Dataset::is_dimension_scale() const {
  silence_automatic_error_printing();
  return check_tri(H5DSis_scale(id()), [this] { return where("asking whether a dimension scale is dataset"); });
}

bool Dataset::has_dimension_scale(const Dataset& scale, unsigned axis) const {
  silence_automatic_error_printing();
  return check_tri(H5DSis_attached(id(), scale.id(), axis),
                   [&] { return where("asking what is attached to axis " + std::to_string(axis) + " of dataset"); });
}

std::string Dataset::dimension_label(unsigned axis) const {
  silence_automatic_error_printing();
  const auto here = [&] { return where("reading the label of axis " + std::to_string(axis) + " of dataset"); };
  const ssize_t size = H5DSget_label(id(), axis, nullptr, 0);
  if (size < 0) fail(here);
  std::string label(static_cast<std::size_t>(size) + 1, '\0');
  if (H5DSget_label(id(), axis, label.data(), label.size()) < 0) fail(here);
  label.resize(static_cast<std::size_t>(size));
  return label;
}

// ---------------------------------------------------------------- Location

Group Location::create_group(std::string_view name) {
  silence_automatic_error_printing();
  const std::string n(name);
  const std::string here = where("creating group", name);
  const Handle options(check_id(H5Pcreate(H5P_GROUP_CREATE), text(here)), H5Pclose);
  track_creation_order(options.id(), here);
  return Group(
      Handle(check_id(H5Gcreate2(id(), n.c_str(), H5P_DEFAULT, options.id(), H5P_DEFAULT), text(here)), H5Gclose),
      file_label());
}

Group Location::open_group(std::string_view name) const {
  silence_automatic_error_printing();
  const std::string n(name);
  return Group(
      Handle(check_id(H5Gopen2(id(), n.c_str(), H5P_DEFAULT), [&] { return where("opening group", name); }), H5Gclose),
      file_label());
}

Dataset Location::create_dataset(std::string_view name, const Datatype& type, const Dataspace& space,
                                 const DatasetCreation& options) {
  silence_automatic_error_printing();
  const std::string n(name);
  return Dataset(
      Handle(check_id(H5Dcreate2(id(), n.c_str(), type.id(), space.id(), H5P_DEFAULT, options.id(), H5P_DEFAULT),
                      [&] { return where("creating dataset", name); }),
             H5Dclose),
      file_label());
}

Dataset Location::open_dataset(std::string_view name) const {
  silence_automatic_error_printing();
  const std::string n(name);
  return Dataset(
      Handle(check_id(H5Dopen2(id(), n.c_str(), H5P_DEFAULT), [&] { return where("opening dataset", name); }),
             H5Dclose),
      file_label());
}

bool Location::contains(std::string_view name) const {
  silence_automatic_error_printing();
  const std::string n(name);
  return check_tri(H5Lexists(id(), n.c_str(), H5P_DEFAULT), [&] { return where("looking for", name); });
}

std::vector<std::string> Location::child_names() const {
  silence_automatic_error_printing();
  const auto here = [this] { return where("listing the members of"); };
  H5G_info_t info{};
  check(H5Gget_info(id(), &info), here);
  std::vector<std::string> names;
  names.reserve(info.nlinks);
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t size = H5Lget_name_by_idx(id(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (size < 0) fail(here);
    std::string name(static_cast<std::size_t>(size) + 1, '\0');
    if (H5Lget_name_by_idx(id(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(), H5P_DEFAULT) < 0) {
      fail(here);
    }
    name.resize(static_cast<std::size_t>(size));
    names.push_back(std::move(name));
  }
  return names;
}

// ---------------------------------------------------------------- File

File File::create(const std::filesystem::path& path, std::string label) {
  silence_automatic_error_printing();
  if (label.empty()) label = path.string();
  const std::string here = "HDF5: creating file " + in_quotes(label);

  const Handle creation(check_id(H5Pcreate(H5P_FILE_CREATE), text(here)), H5Pclose);
  track_creation_order(creation.id(), here);
  // The 1.8 format: readable by every HDF5 1.8+ (and so netCDF-4) reader,
  // while still allowing dense attribute storage and creation order.
  const Handle access(check_id(H5Pcreate(H5P_FILE_ACCESS), text(here)), H5Pclose);
  check(H5Pset_libver_bounds(access.id(), H5F_LIBVER_V18, H5F_LIBVER_V18), text(here));
  // The writer takes no lock, so that a sweep's file can be opened and read
  // (h5py, xarray) while runs are still being added to it.
  check(H5Pset_file_locking(access.id(), false, true), text(here));
  // A results file's chunks are written once, whole (a run's metrics go
  // past the cache, H5Dwrite_chunk), or a batch of runs/ rows at a time,
  // so the chunk cache is off: with the default 1 MiB per dataset, a long
  // sweep's peak memory grew with the chunks it had touched (27 MiB at 100
  // runs, 50 MiB at 1,000).
  check(H5Pset_cache(access.id(), 0, 521, 0, 1.0), text(here));
  // Likewise the metadata cache: it would otherwise adapt upwards to 32 MiB
  // as a sweep's chunk index grows. 1 MiB holds the working set; with both
  // caps, 1,000 runs peak within 6% of 100 (scripts/bench_sweep.sh).
  H5AC_cache_config_t metadata{};
  metadata.version = H5AC__CURR_CACHE_CONFIG_VERSION;
  check(H5Pget_mdc_config(access.id(), &metadata), text(here));
  metadata.set_initial_size = true;
  metadata.initial_size = 512 * 1024;
  metadata.min_size = 256 * 1024;
  metadata.max_size = 1024 * 1024;
  check(H5Pset_mdc_config(access.id(), &metadata), text(here));

  const hid_t id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, creation.id(), access.id());
  return File(Handle(check_id(id, text(here)), H5Fclose), std::move(label));
}

File File::open(const std::filesystem::path& path, Access access, std::string label) {
  silence_automatic_error_printing();
  if (label.empty()) label = path.string();
  const std::string here = "HDF5: opening file " + in_quotes(label);
  const unsigned flags = access == Access::read_write ? H5F_ACC_RDWR : H5F_ACC_RDONLY;
  const hid_t id = H5Fopen(path.c_str(), flags, H5P_DEFAULT);
  return File(Handle(check_id(id, text(here)), H5Fclose), std::move(label));
}

void File::flush() {
  silence_automatic_error_printing();
  check(H5Fflush(id(), H5F_SCOPE_LOCAL), [this] { return "HDF5: flushing " + in_quotes(file_label()); });
}

std::size_t File::open_object_count() const {
  silence_automatic_error_printing();
  const ssize_t count = H5Fget_obj_count(id(), H5F_OBJ_ALL);
  if (count < 0) fail([this] { return "HDF5: counting open objects in " + in_quotes(file_label()); });
  return static_cast<std::size_t>(count);
}

}  // namespace loyalsim::io::hdf5
