#include "io/toml_limits.hpp"

#include <sstream>

#include "core/errors.hpp"
#include "io/input_file.hpp"

namespace loyalsim::io {
namespace {

bool is_one_of(char c, std::string_view set) { return set.find(c) != std::string_view::npos; }

// An InputError at byte `at` of the text, as source:line:column (columns
// count code points, not UTF-8 continuation bytes).
[[noreturn]] void fail_at(std::string_view text, const std::string& source, std::size_t at,
                          const std::string& problem) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < at && i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++line;
      column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++column;
    }
  }
  throw InputError(source + ":" + std::to_string(line) + ":" + std::to_string(column) + ": TOML " + problem);
}

// A recursive-descent walk over the text, recursing only to a depth it has
// already checked against max_toml_depth. It is lenient: on anything
// unexpected it moves on a character, never fails, and never stops early.
class Scan {
 public:
  Scan(std::string_view text, const std::string& source) : text_(text), source_(source) {}

  void document() {
    std::size_t table_depth = 0;  // levels of the current [table] / [[array]] header
    while (true) {
      skip_space();
      if (at_end()) return;
      const std::size_t before = pos_;
      if (text_[pos_] == '[') {
        table_depth = header();
      } else if (const std::size_t parts = key(table_depth); parts > 0) {
        skip_blanks();
        if (peek() == '=') {
          ++pos_;
          value(table_depth + parts);
        }
      }
      // A key = value or a header ends its line; the rest is a comment,
      // or a syntax error toml++ will stop at.
      while (!at_end() && text_[pos_] != '\n') ++pos_;
      if (pos_ == before) ++pos_;
    }
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek(std::size_t ahead = 0) const { return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\n'; }

  void skip_blanks() {
    while (!at_end() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }
  // Blanks, comments and line breaks: what may separate array elements.
  void skip_space() {
    while (!at_end()) {
      const char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') ++pos_;
      else if (c == '#')
        while (!at_end() && text_[pos_] != '\n') ++pos_;
      else return;
    }
  }

  // At a quote: moves past the string, whichever of the four kinds it is.
  void string() {
    const char quote = text_[pos_];
    const bool escapes = quote == '"';
    if (peek(1) == quote && peek(2) == quote) {  // multi-line
      pos_ += 3;
      while (!at_end()) {
        if (escapes && text_[pos_] == '\\') pos_ += 2;
        else if (text_[pos_] == quote && peek(1) == quote && peek(2) == quote) {
          pos_ += 3;
          // Up to two more quotes are content just before the closing three.
          for (int i = 0; i < 2 && !at_end() && text_[pos_] == quote; ++i) ++pos_;
          return;
        } else ++pos_;
      }
      return;
    }
    ++pos_;
    while (!at_end() && text_[pos_] != '\n') {
      if (escapes && text_[pos_] == '\\') pos_ += 2;
      else if (text_[pos_++] == quote) return;
    }
  }

  // A table header, [a.b] or [[a.b]]; returns the depth of its table.
  std::size_t header() {
    const bool array = peek(1) == '[';
    pos_ += array ? 2 : 1;
    // An array of tables adds a level: the array, then its element table.
    return key(array ? 1 : 0) + (array ? 1 : 0);
  }

  // A dotted key whose first part sits at level `outer` + 1. Returns its
  // number of parts (0: no key here); each part is measured as it is met.
  std::size_t key(std::size_t outer) {
    std::size_t parts = 0;
    while (true) {
      skip_blanks();
      if (at_end()) return parts;
      const std::size_t start = pos_;
      const bool quoted = text_[pos_] == '"' || text_[pos_] == '\'';
      if (quoted) string();
      else
        while (!at_end() && !is_one_of(text_[pos_], " \t.=[]{}\"'#,\r\n")) ++pos_;
      if (pos_ == start) return parts;
      ++parts;
      const std::size_t bytes = pos_ - start - (quoted ? 2 : 0);
      if (bytes > max_toml_key_bytes && !(quoted && pos_ - start < 2))
        fail(start, "a key part of " + std::to_string(bytes) + " bytes; at most " + std::to_string(max_toml_key_bytes) +
                        " are allowed");
      check_depth(outer + parts, start);
      skip_blanks();
      if (peek() != '.') return parts;
      ++pos_;
    }
  }

  // A value at level `depth`: a string, array, inline table or scalar.
  void value(std::size_t depth) {
    skip_blanks();
    if (at_end()) return;
    check_depth(depth, pos_);
    const char c = text_[pos_];
    if (c == '"' || c == '\'') {
      string();
    } else if (c == '[') {
      ++pos_;
      while (true) {
        skip_space();
        if (at_end()) return;
        if (text_[pos_] == ']') {
          ++pos_;
          return;
        }
        const std::size_t before = pos_;
        value(depth + 1);
        skip_space();
        if (peek() == ',') ++pos_;
        else if (pos_ == before) ++pos_;
      }
    } else if (c == '{') {
      ++pos_;
      while (true) {
        skip_space();
        if (at_end()) return;
        if (text_[pos_] == '}') {
          ++pos_;
          return;
        }
        const std::size_t before = pos_;
        const std::size_t parts = key(depth);
        skip_blanks();
        if (parts > 0 && peek() == '=') {
          ++pos_;
          value(depth + parts);
        }
        skip_space();
        if (peek() == ',') ++pos_;
        else if (pos_ == before) ++pos_;
      }
    } else {
      // A number, boolean or date: runs to a delimiter. (A date's space
      // before its time ends it early; the rest is skipped like a value.)
      while (!at_end() && !is_one_of(text_[pos_], " \t\r\n,]}[{\"'#")) ++pos_;
    }
  }

  void check_depth(std::size_t depth, std::size_t at) const {
    if (depth > max_toml_depth)
      fail(at, "nested too deeply: level " + std::to_string(depth) +
                   " of tables, arrays and dotted-key parts; at most " + std::to_string(max_toml_depth) +
                   " are allowed");
  }

  [[noreturn]] void fail(std::size_t at, const std::string& problem) const { fail_at(text_, source_, at, problem); }

  std::string_view text_;
  const std::string& source_;
  std::size_t pos_ = 0;
};

// TOML allows non-ASCII characters only inside strings and comments; toml++
// 3.3.0 reaches __builtin_unreachable() (undefined behaviour) on some of
// them elsewhere, e.g. `name = "A"Ü`. So they are refused here, with the
// place, before toml++ sees the text. An exact lexer of strings and
// comments: for valid TOML it never mistakes the inside of a string.
void check_ascii_outside_strings(std::string_view text, const std::string& source) {
  const auto fail = [&](std::size_t at) {
    fail_at(text, source, at,
            "syntax error: a non-ASCII character outside a string or comment (a name with such characters must be "
            "quoted)");
  };
  const auto starts = [&](std::size_t i, std::string_view what) { return text.substr(i, what.size()) == what; };
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '#') {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (starts(i, R"(""")") || starts(i, "'''")) {
      const std::string_view close = text.substr(i, 3);
      const bool escapes = c == '"';
      i += 3;
      while (i < text.size() && !starts(i, close)) i += (escapes && text[i] == '\\') ? 2 : 1;
      i += 3;
      while (i < text.size() && text[i] == c) ++i;  // up to two quotes of content before the closing three
    } else if (c == '"' || c == '\'') {
      ++i;
      while (i < text.size() && text[i] != c && text[i] != '\n') i += (c == '"' && text[i] == '\\') ? 2 : 1;
      ++i;
    } else if (static_cast<unsigned char>(c) >= 0x80) {
      fail(i);
    } else {
      ++i;
    }
  }
}

}  // namespace

void check_toml_limits(std::string_view text, const std::string& source) {
  if (text.size() > max_toml_bytes)
    throw InputError(source + ": the TOML text has " + std::to_string(text.size()) + " bytes, more than the limit of " +
                     byte_limit_text(max_toml_bytes));
  check_ascii_outside_strings(text, source);
  Scan(text, source).document();
}

toml::table parse_bounded_toml(std::string_view text, const std::string& source) {
  // Bounded before toml++ sees it: toml++ recurses with the nesting.
  check_toml_limits(text, source);
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& error) {
    std::ostringstream message;
    message << source << ':' << error.source().begin.line << ':' << error.source().begin.column
            << ": TOML syntax error: " << error.description();
    throw InputError(message.str());
  }
}

}  // namespace loyalsim::io
