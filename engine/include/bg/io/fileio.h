// Reading and writing whole files, with errors that name the file.
//
// Every file the engine writes (checkpoints, the corpus, pictures) goes through
// write_file_atomic: the bytes go to a temporary file next to the target
// ("<name>.tmp-<pid>.<random>"), which is written, fsync'ed (its data is on the disk), closed
// and then renamed over the target; the directory is fsync'ed too. A rename within one
// directory is atomic on POSIX file systems, so a reader — or a crash in the middle — sees
// either the old file or the complete new one, never half of it.
//
// No temporary file is left behind: on an error it is removed; SIGINT, SIGTERM and SIGHUP
// (Ctrl-C, kill) wait until the write is over; and the temporaries of a process that died
// anyway (kill -9, a power cut) are removed by the next write of the same file.
//
// What stands at the target decides how it is written; nothing but the named file is ever
// replaced or removed:
//   nothing, or a regular file   written atomically, as above;
//   a symbolic link              followed, link after link: the file it names is written
//                                atomically (created if the link dangles), the links stay;
//   a character device or FIFO   written in place, as a shell's `>` would: opened without
//                                creating or truncating anything, not atomic and not fsync'ed
//                                (/dev/null, /dev/stdout on a terminal or a pipe, /dev/full,
//                                which fails as full); a FIFO that no process reads is an
//                                error, not a wait;
//   anything else                refused: a directory, a block device, a socket.
// A loop of symbolic links, or a name that cannot be looked up, is an error naming the cause.
#pragma once

#include <filesystem>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

namespace bg {

// The whole file as bytes. Throws bg::Error naming the file when it cannot be read or is not
// a regular file: a directory, a FIFO (never waited on), a socket or a device.
std::string read_file(const std::filesystem::path& path);

// `path` opened for reading (the descriptor, which the caller closes), without waiting for a
// FIFO's writer. bg::Error naming the file and the cause when it cannot be opened or is not a
// regular file.
int open_regular_file(const std::filesystem::path& path);

// Writes `bytes` to `path` atomically, or in place for a device or a FIFO (see above). On any
// failure the temporary file is removed, an existing file at `path` is left untouched, and
// bg::Error names the file and the cause.
void write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

// The same, with the content produced by `write` on a binary stream. If `write` throws,
// the temporary file is removed and the exception propagates.
void write_file_atomic(const std::filesystem::path& path,
                       const std::function<void(std::ostream&)>& write);

// Whether write_file_atomic(path, ...) can succeed, found out before long work that ends with
// it: what stands at `path` may be written (the rule above) and a temporary file can be created
// (and is removed) next to the file, or the device or FIFO may be written (it is not opened).
// bg::Error naming the file otherwise.
void check_writable(const std::filesystem::path& path);

// A unique sibling name for a temporary file: "<path>.tmp-<pid>.<8 hex digits>".
std::filesystem::path temp_sibling(const std::filesystem::path& path);

// `s` in single quotes for /bin/sh (a ' inside becomes '\'').
std::string shell_quote(std::string_view s);

}  // namespace bg
