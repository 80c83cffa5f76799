// The output lock (src/io/output_lock.hpp): one holder at a time, the holder
// named in the refusal, and a lock file removed only by whoever created or
// claimed it.
#include "io/output_lock.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "core/errors.hpp"
#include "scratch_folder.hpp"

namespace loyalsim::io {
namespace {

namespace fs = std::filesystem;
using test::ScratchFolder;

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(OutputLock, ASecondHolderIsRefusedNamingTheFirstsPid) {
  const ScratchFolder folder;
  const fs::path out = folder.file("out.h5");
  const OutputLock first = OutputLock::acquire(lock_path_for(out), out);
  EXPECT_EQ(read_text(lock_path_for(out)), std::to_string(::getpid()) + "\n");
  try {
    // flock() locks belong to an open file, so a second open in this same
    // process conflicts just as another process's would.
    const OutputLock second = OutputLock::acquire(lock_path_for(out), out);
    FAIL() << "a second lock was granted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("pid " + std::to_string(::getpid())), std::string::npos) << e.what();
  }
  EXPECT_TRUE(fs::exists(lock_path_for(out))) << "the refused holder removed the holder's lock file";
}

TEST(OutputLock, ReleasingRemovesTheLockFileItCreatedAndTheNextHolderGetsIt) {
  const ScratchFolder folder;
  const fs::path out = folder.file("out.h5");
  { const OutputLock lock = OutputLock::acquire(lock_path_for(out), out); }
  EXPECT_FALSE(fs::exists(lock_path_for(out)));
  const OutputLock again = OutputLock::acquire(lock_path_for(out), out);
  EXPECT_TRUE(fs::exists(lock_path_for(out)));
}

// A lock file left by a killed run: taking it changes nothing unless the
// run goes ahead (claim), which then records its pid and removes it at the end.
TEST(OutputLock, AStaleLockFileIsLeftAsItWasUnlessClaimed) {
  const ScratchFolder folder;
  const fs::path out = folder.file("out.h5");
  std::ofstream(lock_path_for(out)) << "999999\n";
  { const OutputLock refused_later = OutputLock::acquire(lock_path_for(out), out); }
  EXPECT_EQ(read_text(lock_path_for(out)), "999999\n");
  {
    OutputLock accepted = OutputLock::acquire(lock_path_for(out), out);
    accepted.claim();
    EXPECT_EQ(read_text(lock_path_for(out)), std::to_string(::getpid()) + "\n");
  }
  EXPECT_FALSE(fs::exists(lock_path_for(out)));
}

TEST(OutputLock, ALockPathThatIsNotARegularFileIsRefusedAndKept) {
  const ScratchFolder folder;
  const fs::path out = folder.file("out.h5");
  ASSERT_EQ(::mkfifo(lock_path_for(out).c_str(), 0644), 0);
  EXPECT_THROW(OutputLock::acquire(lock_path_for(out), out), InputError);
  EXPECT_TRUE(fs::is_fifo(lock_path_for(out)));
  const fs::path linked = folder.file("linked.h5");
  fs::create_symlink("out.h5.lock", lock_path_for(linked));
  EXPECT_THROW(OutputLock::acquire(lock_path_for(linked), linked), InputError);
  EXPECT_TRUE(fs::is_symlink(lock_path_for(linked)));
}

// The path no longer names the file whose lock was taken (removed by hand,
// say): a new holder takes a new file, and the old holder, leaving, does
// not remove the new holder's file.
TEST(OutputLock, AHolderLeavingNeverRemovesAnotherHoldersLockFile) {
  const ScratchFolder folder;
  const fs::path out = folder.file("out.h5");
  std::optional<OutputLock> first = OutputLock::acquire(lock_path_for(out), out);
  fs::remove(lock_path_for(out));
  const OutputLock second = OutputLock::acquire(lock_path_for(out), out);
  first.reset();
  EXPECT_TRUE(fs::exists(lock_path_for(out)));
  EXPECT_THROW(OutputLock::acquire(lock_path_for(out), out), InputError);
}

}  // namespace
}  // namespace loyalsim::io
