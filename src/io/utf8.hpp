// UTF-8 decoding for checking names, and a safe way to show any user text
// (a name, a key, a --set value) inside a one-line error message.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace loyalsim::io {

// One decoded code point: `length` bytes starting at the offset decoded;
// `valid` is false for a malformed sequence (overlong, surrogate, beyond
// U+10FFFF, truncated or a stray continuation byte), whose length is 1.
struct CodePoint {
  char32_t value = 0;
  std::size_t length = 1;
  bool valid = false;
};

CodePoint decode_utf8(std::string_view text, std::size_t offset);

// `text` as it may appear in a message: control characters, invalid UTF-8
// and other invisible code points escaped (\n, \x00, \u202e), and cut to
// about `max_bytes` with "..." so a megabyte string cannot flood a message.
std::string printable(std::string_view text, std::size_t max_bytes = 80);

// True for code points that would make text unreadable or misleading on a
// terminal: C0 and C1 controls, DEL, line and paragraph separators,
// bidirectional overrides and isolates, and the byte-order mark.
bool invisible_code_point(char32_t c);

}  // namespace loyalsim::io
