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

// Writes `bytes` to `path` atomically (see above). On any failure the temporary file is
// removed, an existing file at `path` is left untouched, and bg::Error names the file.
void write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

// The same, with the content produced by `write` on a binary stream. If `write` throws,
// the temporary file is removed and the exception propagates.
void write_file_atomic(const std::filesystem::path& path,
                       const std::function<void(std::ostream&)>& write);

// Whether write_file_atomic(path, ...) can succeed, found out before long work that ends with
// it: `path` is not a directory and a temporary file can be created (and is removed) next to
// it. bg::Error naming the file otherwise.
void check_writable(const std::filesystem::path& path);

// A unique sibling name for a temporary file: "<path>.tmp-<pid>.<8 hex digits>".
std::filesystem::path temp_sibling(const std::filesystem::path& path);

// `s` in single quotes for /bin/sh (a ' inside becomes '\'').
std::string shell_quote(std::string_view s);

}  // namespace bg
