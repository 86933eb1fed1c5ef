#include "bg/io/fileio.h"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <ostream>
#include <streambuf>
#include <system_error>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "bg/error.h"

namespace bg {

namespace fs = std::filesystem;

namespace {

// What a file that is not a regular file is, in words.
const char* kind_of(mode_t mode) {
  return S_ISDIR(mode)    ? "a directory"
         : S_ISFIFO(mode) ? "a FIFO (named pipe)"
         : S_ISSOCK(mode) ? "a socket"
         : S_ISBLK(mode)  ? "a block device"
         : S_ISCHR(mode)  ? "a character device"
                          : "an unknown kind of file";
}

}  // namespace

int open_regular_file(const fs::path& path) {
  // Opened without blocking and checked before reading: a FIFO would otherwise wait for a
  // writer, and a directory reports a nonsense size.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    throw Error("cannot open '" + path.string() + "': " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    throw Error("cannot read '" + path.string() + "': " + std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error("cannot read '" + path.string() + "': it is " + kind_of(st.st_mode) +
                ", not a regular file");
  }
  return fd;
}

std::string read_file(const fs::path& path) {
  const int fd = open_regular_file(path);
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    throw Error("cannot read '" + path.string() + "': " + std::strerror(errno));
  }
  std::string bytes;
  bytes.reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error("cannot read '" + path.string() + "': " + std::strerror(errno));
    if (n == 0) break;
    bytes.append(buf, static_cast<size_t>(n));
  }
  return bytes;
}

fs::path temp_sibling(const fs::path& path) {
  // Not cryptographic: the counter makes names unique within a process, the clock and the
  // object's address make collisions between processes unlikely; the process id lets a later
  // write recognise the leftovers of a process that no longer exists.
  static std::atomic<uint64_t> counter{0};
  uint64_t x = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
               (counter.fetch_add(1) * 0x9E3779B97F4A7C15ULL) ^
               reinterpret_cast<uintptr_t>(&counter);
  x ^= x >> 29;
  x *= 0xBF58476D1CE4E5B9ULL;
  x ^= x >> 32;
  char suffix[40];
  std::snprintf(suffix, sizeof suffix, "%ld.%08x", static_cast<long>(::getpid()),
                static_cast<unsigned>(x & 0xFFFFFFFFu));
  fs::path tmp = path;
  tmp += ".tmp-";
  tmp += suffix;
  return tmp;
}

namespace {

// An output stream buffer over a POSIX file descriptor: std::ofstream cannot fsync.
class FdBuffer : public std::streambuf {
 public:
  explicit FdBuffer(int fd) : fd_(fd) { setp(buf_, buf_ + sizeof buf_); }
  FdBuffer(const FdBuffer&) = delete;
  FdBuffer& operator=(const FdBuffer&) = delete;
  int error() const { return error_; }

 protected:
  int_type overflow(int_type c) override {
    if (!flush_buffer()) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  int sync() override { return flush_buffer() ? 0 : -1; }

 private:
  bool flush_buffer() {
    const char* p = pbase();
    while (p < pptr()) {
      const ssize_t n = ::write(fd_, p, static_cast<size_t>(pptr() - p));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        error_ = n < 0 ? errno : EIO;
        return false;
      }
      p += n;
    }
    setp(buf_, buf_ + sizeof buf_);
    return true;
  }
  int fd_;
  int error_ = 0;
  char buf_[1 << 16];
};

// Temporary files "<name>.tmp-<pid>.<hex>" next to `path` that a process which no longer exists
// left behind (killed between creating and renaming them: kill -9, a power cut). Removed
// before a new write of `path`; files of a live process are left alone.
void remove_stale_temporaries(const fs::path& path) {
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  const std::string prefix = path.filename().string() + ".tmp-";
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    char* after = nullptr;
    const long pid = std::strtol(name.c_str() + prefix.size(), &after, 10);
    if (pid <= 0 || after == nullptr || *after != '.' || std::strlen(after) != 9) continue;
    if (pid == static_cast<long>(::getpid())) continue;  // a write in progress in this process
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;  // alive (or unsure)
    std::error_code ignored;
    fs::remove(it->path(), ignored);
  }
}

// While alive, SIGINT, SIGTERM and SIGHUP wait (they are delivered when it ends): a Ctrl-C
// cannot kill the program between writing the temporary file and renaming it. The engine's
// worker threads block these signals for good (bg/kernels/parallel.h), so they reach this thread.
class BlockTerminationSignals {
 public:
  BlockTerminationSignals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    ok_ = pthread_sigmask(SIG_BLOCK, &set, &previous_) == 0;
  }
  ~BlockTerminationSignals() {
    if (ok_) pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  BlockTerminationSignals(const BlockTerminationSignals&) = delete;
  BlockTerminationSignals& operator=(const BlockTerminationSignals&) = delete;

 private:
  sigset_t previous_;
  bool ok_ = false;
};

[[noreturn]] void cannot_write(const fs::path& path, const std::string& why) {
  throw Error("cannot write '" + path.string() + "': " + why);
}

// The path a chain of symbolic links starting at `path` ends at (`path` itself when it is no
// link): the name an atomic write must rename its temporary file to. A relative link is read
// from its own directory.
fs::path follow_links(const fs::path& path) {
  fs::path p = path;
  for (int hops = 0;; ++hops) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return p;
    if (hops == 40) cannot_write(path, std::strerror(ELOOP));
    std::error_code ec;
    const fs::path target = fs::read_symlink(p, ec);
    if (ec)
      cannot_write(path, "cannot read the symbolic link '" + p.string() + "': " + ec.message());
    p = target.is_absolute() ? target : p.parent_path() / target;
  }
}

// Where an output goes (the rule in bg/io/fileio.h).
struct OutputTarget {
  bool in_place = false;  // a character device or a FIFO: opened and written, nothing renamed
  fs::path file;          // otherwise: the regular file (new or old) the temporary replaces
};

OutputTarget output_target(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    // Nothing there yet: a new file (through a dangling link, the file the link names). A
    // missing directory is found when the temporary file is created.
    if (err == ENOENT) return {false, follow_links(path)};
    cannot_write(path, std::strerror(err));  // a loop of links, a file used as a directory, ...
  }
  if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) return {true, path};
  if (!S_ISREG(st.st_mode)) {
    cannot_write(path, std::string("it is ") + kind_of(st.st_mode) +
                           ", and an output must be a regular file (replaced), a character "
                           "device or a FIFO (written in place)");
  }
  OutputTarget t{false, follow_links(path)};
  // The links must lead to the file stat() found: a link of /proc that names a deleted file or
  // a pipe cannot be renamed over.
  struct stat end {};
  if (::stat(t.file.c_str(), &end) != 0 || end.st_dev != st.st_dev || end.st_ino != st.st_ino) {
    cannot_write(path, "the file it links to has no name that can be replaced ('" +
                           t.file.string() + "' is another file)");
  }
  return t;
}

// SIGPIPE waits while alive, and one raised by a write to a pipe nobody reads any more is
// taken back when it ends: a pipe that closes early is a failed write (EPIPE), not the end of
// the program.
class HoldBrokenPipe {
 public:
  HoldBrokenPipe() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    ok_ = pthread_sigmask(SIG_BLOCK, &pipe_, &previous_) == 0;
  }
  ~HoldBrokenPipe() {
    if (!ok_) return;
    sigset_t pending;
    if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1) {
      const timespec now{0, 0};
      (void)sigtimedwait(&pipe_, nullptr, &now);
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  HoldBrokenPipe(const HoldBrokenPipe&) = delete;
  HoldBrokenPipe& operator=(const HoldBrokenPipe&) = delete;

 private:
  sigset_t pipe_, previous_;
  bool ok_ = false;
};

// A character device or a FIFO written as it is: opened without creating or truncating
// anything, without waiting for a reader (a FIFO nobody reads is an error), no fsync.
void write_in_place(const fs::path& path, const std::function<void(std::ostream&)>& write) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    struct stat st {};
    const bool fifo = ::stat(path.c_str(), &st) == 0 && S_ISFIFO(st.st_mode);
    cannot_write(path, err == ENXIO && fifo ? std::string("it is a FIFO that no process reads")
                                            : std::string(std::strerror(err)));
  }
  struct FdCloser {
    int fd;
    ~FdCloser() {
      if (fd >= 0) ::close(fd);
    }
  } closer{fd};
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);  // now wait for a slow reader
  const HoldBrokenPipe hold_broken_pipe;
  {
    FdBuffer buffer(fd);
    std::ostream out(&buffer);
    write(out);
    out.flush();
    if (!out) {
      const int err = buffer.error();
      cannot_write(path, err == ENOSPC ? "the device is full"
                         : err != 0    ? std::strerror(err)
                                       : "write failed");
    }
  }
  closer.fd = -1;
  if (::close(fd) != 0) cannot_write(path, std::string("close failed: ") + std::strerror(errno));
}

}  // namespace

void write_file_atomic(const fs::path& path, const std::function<void(std::ostream&)>& write) {
  const OutputTarget target = output_target(path);
  if (target.in_place) return write_in_place(path, write);
  // From here on the file is the one the links lead to: its temporary is written next to it
  // and renamed over it, and the links stay as they are. Messages name `path`, the name given.
  const fs::path& file = target.file;
  remove_stale_temporaries(file);
  const BlockTerminationSignals block_signals;
  const fs::path tmp = temp_sibling(file);
  auto fail = [&](const std::string& what, int err) {
    throw Error("cannot write '" + path.string() + "': " + what +
                (err != 0 ? std::string(": ") + std::strerror(err) : std::string()));
  };
  // Removes the temporary file unless it has been renamed into place.
  struct Cleanup {
    const fs::path& tmp;
    int fd = -1;
    bool armed = true;
    ~Cleanup() {
      if (fd >= 0) ::close(fd);
      std::error_code ignored;
      if (armed) fs::remove(tmp, ignored);
    }
  } cleanup{tmp};

  cleanup.fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (cleanup.fd < 0) {
    const int err = errno;
    cleanup.armed = false;  // not ours: never created
    fail("cannot create '" + tmp.string() + "'", err);
  }
  {
    FdBuffer buffer(cleanup.fd);
    std::ostream out(&buffer);
    write(out);
    out.flush();
    if (!out) fail("write failed (disk full?)", buffer.error());
  }
  // The data must be on the disk before the new name points at it: otherwise a crash soon
  // after the rename can leave an empty or partial file under the final name.
  if (::fsync(cleanup.fd) != 0) fail("fsync failed", errno);
  const int fd = cleanup.fd;
  cleanup.fd = -1;
  if (::close(fd) != 0) fail("close failed", errno);
  std::error_code ec;
  fs::rename(tmp, file, ec);
  if (ec) throw Error("cannot write '" + path.string() + "': rename failed: " + ec.message());
  cleanup.armed = false;
  // And the rename itself reaches the disk with the directory (best effort: not every file
  // system lets a directory be opened for this).
  const fs::path dir = file.has_parent_path() ? file.parent_path() : fs::path(".");
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

void check_writable(const fs::path& path) {
  const OutputTarget target = output_target(path);
  if (target.in_place) {
    // Not opened: opening and closing a FIFO would end what its reader reads.
    if (::access(path.c_str(), W_OK) != 0) cannot_write(path, std::strerror(errno));
    return;
  }
  const fs::path tmp = temp_sibling(target.file);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) cannot_write(path, std::strerror(errno));
  ::close(fd);
  std::error_code ec;
  fs::remove(tmp, ec);
}

void write_file_atomic(const fs::path& path, std::string_view bytes) {
  write_file_atomic(path, [bytes](std::ostream& out) {
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  });
}

std::string shell_quote(std::string_view s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') {
      q += "'\\''";
    } else {
      q += c;
    }
  }
  q += '\'';
  return q;
}

}  // namespace bg
