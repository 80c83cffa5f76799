// Input files: only a regular file of bounded size is read; anything else
// (a FIFO, a device, a directory, a link to a device, a huge file) is an
// InputError before the program blocks or reads without limit.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <string>

#include "core/errors.hpp"
#include "io/input_file.hpp"
#include "io/scenario_file.hpp"
#include "io/toml_limits.hpp"
#include "scratch_folder.hpp"

namespace loyalsim::io {
namespace {

using test::ScratchFolder;

// The message of the InputError that loading `path` throws ("" if none).
std::string load_error(const std::filesystem::path& path) {
  try {
    load_scenario(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

TEST(InputFile, AFifoIsRefusedWithoutBlocking) {
  const ScratchFolder folder;
  const auto fifo = folder.file("scenario.toml");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // Opening a FIFO for reading blocks until a writer comes; this returns.
  const std::string e = load_error(fifo);
  EXPECT_NE(e.find("FIFO"), std::string::npos) << e;
  EXPECT_NE(e.find("regular file"), std::string::npos) << e;
}

TEST(InputFile, ADeviceIsRefusedBeforeAnyRead) {
  const std::string e = load_error("/dev/zero");  // would grow without limit
  EXPECT_NE(e.find("/dev/zero: is a character device"), std::string::npos) << e;
}

TEST(InputFile, ASymbolicLinkToADeviceIsRefused) {
  const ScratchFolder folder;
  const auto link = folder.file("scenario.toml");
  std::filesystem::create_symlink("/dev/zero", link);
  const std::string e = load_error(link);
  EXPECT_NE(e.find("character device"), std::string::npos) << e;
}

TEST(InputFile, ADirectoryIsRefused) {
  const ScratchFolder folder;
  const std::string e = load_error(folder.path());
  EXPECT_NE(e.find("is a directory"), std::string::npos) << e;
}

TEST(InputFile, AMissingFileSaysSo) {
  const std::string e = load_error("/nonexistent/loyalsim.toml");
  EXPECT_NE(e.find("not found"), std::string::npos) << e;
}

TEST(InputFile, AFileAboveTheLimitIsRefusedNamingTheLimit) {
  const ScratchFolder folder;
  const auto big = folder.file("big.toml");
  write_file(big, std::string(max_toml_bytes + 1, '#'));
  const std::string e = load_error(big);
  EXPECT_NE(e.find("1 MiB (1048576 bytes)"), std::string::npos) << e;
  EXPECT_NE(e.find("1048577"), std::string::npos) << e;
}

TEST(InputFile, AFileAtTheLimitIsRead) {
  const ScratchFolder folder;
  const auto path = folder.file("at_limit.txt");
  write_file(path, std::string(100, 'x'));
  EXPECT_EQ(read_input_file(path, 100, "test file").size(), 100u);
  EXPECT_THROW(read_input_file(path, 99, "test file"), InputError);
}

TEST(InputFile, AnUnreadableFileIsAnInputError) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads any file";
  const ScratchFolder folder;
  const auto path = folder.file("secret.toml");
  write_file(path, "seed = 1\n");
  std::filesystem::permissions(path, std::filesystem::perms::none);
  const std::string e = load_error(path);
  EXPECT_NE(e.find("cannot open"), std::string::npos) << e;
}

TEST(InputFile, ALimitIsStatedInMiBKiBOrBytes) {
  EXPECT_EQ(byte_limit_text(std::size_t{1} << 20), "1 MiB (1048576 bytes)");
  EXPECT_EQ(byte_limit_text(2048), "2 KiB (2048 bytes)");
  EXPECT_EQ(byte_limit_text(100), "100 bytes");
}

}  // namespace
}  // namespace loyalsim::io
