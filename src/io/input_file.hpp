// Reading an input file safely: only a regular file, never blocking, never
// more than a stated number of bytes. A FIFO, a device (/dev/zero, a
// terminal), a directory, or a symbolic link to any of them is refused
// before anything is read, so no input can hang the program or grow its
// memory without limit.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace loyalsim::io {

// The whole file at `path`; `what` names it in messages ("scenario file").
// Throws InputError "PATH: ..." if it is missing, not a regular file,
// unreadable, or larger than `limit` bytes.
std::string read_input_file(const std::filesystem::path& path, std::size_t limit, std::string_view what);

// "1 MiB (1048576 bytes)": a limit as messages and docs state it.
std::string byte_limit_text(std::size_t limit);

}  // namespace loyalsim::io
