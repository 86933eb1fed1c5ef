// What an output replaces (bg/io/fileio.h, issue 21): a symbolic link is followed and the file
// it names written atomically, a character device or a FIFO is written in place, anything else
// that is not a regular file is refused, and nothing but the named file is ever replaced.
// Before, every output was a temporary file renamed over the path given: a link was replaced
// by a file (the file it named left as it was), and so was a device node, even /dev/full.
#include "bg/io/fileio.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "testing.h"

namespace bg {
namespace {

namespace fs = std::filesystem;
using ::bg::testing::Mentions;

class FileioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = temp_sibling(fs::temp_directory_path() / ("bg_fileio_" + std::string(info->name())));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path file(const std::string& name) const { return dir_ / name; }
  static void put(const fs::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
  }
  // Every name in the directory (to spot left-over temporary files and replaced nodes).
  std::vector<std::string> listing() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }
  static mode_t kind(const fs::path& path) {
    struct stat st {};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st.st_mode & S_IFMT;
  }

  fs::path dir_;
};

TEST_F(FileioTest, ALinkIsFollowedAndStaysALink) {
  fs::create_directories(file("sub"));
  put(file("sub") / "real.txt", "old");
  fs::create_symlink("sub/real.txt", file("relative"));  // relative to the link's directory
  fs::create_symlink(file("relative"), file("chain"));   // absolute, to another link
  write_file_atomic(file("chain"), std::string_view("new"));
  EXPECT_EQ(kind(file("chain")), S_IFLNK);
  EXPECT_EQ(kind(file("relative")), S_IFLNK);
  EXPECT_EQ(read_file(file("sub") / "real.txt"), "new");
  EXPECT_EQ(listing(), (std::vector<std::string>{"chain", "relative", "sub"}));
  // check_writable follows the same links.
  EXPECT_NO_THROW(check_writable(file("chain")));
}

TEST_F(FileioTest, ADanglingLinkCreatesTheFileItNames) {
  fs::create_symlink("made.txt", file("dangling"));
  write_file_atomic(file("dangling"), std::string_view("made"));
  EXPECT_EQ(kind(file("dangling")), S_IFLNK);
  EXPECT_EQ(read_file(file("made.txt")), "made");
}

TEST_F(FileioTest, ALoopOfLinksIsNamed) {
  fs::create_symlink("b", file("a"));
  fs::create_symlink("a", file("b"));
  EXPECT_BG_ERROR(write_file_atomic(file("a"), std::string_view("x")), "cannot write", "'",
                  "symbolic links");
  EXPECT_BG_ERROR(check_writable(file("a")), "symbolic links");
  EXPECT_BG_ERROR(read_file(file("a")), "symbolic links");
  EXPECT_EQ(kind(file("a")), S_IFLNK);
  EXPECT_EQ(kind(file("b")), S_IFLNK);
}

TEST_F(FileioTest, ADirectoryIsRefused) {
  fs::create_directories(file("d") / "inside");
  EXPECT_BG_ERROR(write_file_atomic(file("d"), std::string_view("x")), "'", "d'",
                  "it is a directory");
  EXPECT_BG_ERROR(check_writable(file("d")), "it is a directory");
  EXPECT_TRUE(fs::is_directory(file("d") / "inside"));
}

TEST_F(FileioTest, AFifoIsWrittenInPlaceWhenSomeoneReadsIt) {
  ASSERT_EQ(::mkfifo(file("pipe").c_str(), 0600), 0);
  // Nobody reads it: an error at once, not a wait.
  EXPECT_BG_ERROR(write_file_atomic(file("pipe"), std::string_view("x")), "pipe'",
                  "FIFO that no process reads");
  EXPECT_NO_THROW(check_writable(file("pipe")));  // not opened: a reader would see its end
  std::string got;
  std::thread reader([&] {
    const int fd = ::open(file("pipe").c_str(), O_RDONLY);  // waits for the writer
    char buf[256];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) got.append(buf, size_t(n));
    ::close(fd);
  });
  // The reader is there once opening for writing no longer fails.
  std::string message = "not tried";
  for (int i = 0; i < 2000 && !message.empty(); ++i) {
    try {
      write_file_atomic(file("pipe"), std::string_view("through the pipe"));
      message.clear();
    } catch (const Error& e) {
      message = e.what();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  reader.join();
  EXPECT_EQ(message, "");
  EXPECT_EQ(got, "through the pipe");
  EXPECT_EQ(kind(file("pipe")), S_IFIFO);
  EXPECT_EQ(listing(), std::vector<std::string>{"pipe"});
}

TEST_F(FileioTest, APipeClosedEarlyIsAnErrorNotTheEndOfTheProgram) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const fs::path end = "/proc/self/fd/" + std::to_string(fds[1]);  // what /dev/stdout leads to
  if (!fs::exists(end)) {
    ::close(fds[0]);
    ::close(fds[1]);
    GTEST_SKIP() << "no /proc/self/fd on this system";
  }
  // The reader goes away once the pipe is open: the write raises SIGPIPE, which must not end
  // the program.
  EXPECT_BG_ERROR(write_file_atomic(end,
                                    [&](std::ostream& out) {
                                      ::close(fds[0]);
                                      out << "lost";
                                    }),
                  "cannot write", "Broken pipe");
  ::close(fds[1]);
}

TEST_F(FileioTest, DevNullIsWrittenInPlace) {
  // As root, a regression would replace the machine's /dev/null: that case is the next test's,
  // on a device node of its own.
  if (::geteuid() == 0) GTEST_SKIP() << "run as root: see OutputsOnDeviceNodesAsRoot";
  write_file_atomic("/dev/null", std::string_view("nothing"));
  EXPECT_NO_THROW(check_writable("/dev/null"));
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
}

// Device nodes of this test's own (mknod needs root; CI runs as root): a character device is
// written in place and stays a device, /dev/full's twin fails as full, a block device is
// refused. Before, each was replaced by a regular file, and the write "succeeded".
TEST_F(FileioTest, OutputsOnDeviceNodesAsRoot) {
  if (::geteuid() != 0) {
    GTEST_SKIP() << "needs root to make device nodes with mknod (CI runs it as root)";
  }
  if (::mknod(file("null").c_str(), S_IFCHR | 0666, makedev(1, 3)) != 0 ||
      ::mknod(file("full").c_str(), S_IFCHR | 0666, makedev(1, 7)) != 0 ||
      ::mknod(file("block").c_str(), S_IFBLK | 0600, makedev(7, 0)) != 0) {
    GTEST_SKIP() << "mknod is not allowed here even as root: " << std::strerror(errno);
  }
  write_file_atomic(file("null"), std::string_view("into nothing"));
  EXPECT_NO_THROW(check_writable(file("null")));
  EXPECT_BG_ERROR(write_file_atomic(file("full"), std::string_view("x")), "full'",
                  "the device is full");
  EXPECT_BG_ERROR(write_file_atomic(file("block"), std::string_view("x")), "block'",
                  "a block device");
  EXPECT_BG_ERROR(check_writable(file("block")), "a block device");
  // A link to a device reaches the device.
  fs::create_symlink("null", file("to-null"));
  write_file_atomic(file("to-null"), std::string_view("into nothing"));
  EXPECT_EQ(kind(file("null")), S_IFCHR);
  EXPECT_EQ(kind(file("full")), S_IFCHR);
  EXPECT_EQ(kind(file("block")), S_IFBLK);
  EXPECT_EQ(kind(file("to-null")), S_IFLNK);
  EXPECT_EQ(listing(), (std::vector<std::string>{"block", "full", "null", "to-null"}));
}

}  // namespace
}  // namespace bg
