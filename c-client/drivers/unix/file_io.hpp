// Small helpers for writing mbox files: whole writes at an offset, copies
// between files in bounded memory, temporary files beside the mailbox.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/fd.hpp"

namespace mail::unixmbox {

// pwrite() of all the bytes; throws MailError (NoSpace or Io).
void write_at(int fd, uint64_t offset, std::string_view bytes);
// Copies [from, from+length) of in to out at offset to, in 1 MB pieces.
void copy_range(int in, uint64_t from, uint64_t length, int out, uint64_t to);
void sync_fd(int fd);  // fsync, throwing on failure
// An unnamed file in dir (O_TMPFILE), or an unlinked one in /tmp.
UniqueFd anonymous_file(const std::string& dir);
std::string dir_of(const std::string& path);
// The system user name and host, for From lines.
std::string local_sender();

}  // namespace mail::unixmbox
