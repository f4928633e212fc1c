// Small file-system helpers the maildir driver shares: whole-file reads,
// directory fsync, errno to MailError.
#pragma once

#include <sys/stat.h>

#include <optional>
#include <string>
#include <string_view>

namespace mail::maildir {

// The file's content, or nullopt when it does not exist.
std::optional<std::string> read_whole_file(const std::string& path);
// Writes all of data to fd; throws MailError on failure.
void write_all(int fd, std::string_view data, const std::string& what);
void fsync_dir(const std::string& dir);
// Throws the MailError matching errno for a failed operation.
[[noreturn]] void throw_errno(const std::string& what, int err);
std::optional<struct stat> stat_path(const std::string& path);
// A stat identity + change stamp: changes when a file is replaced or written.
struct FileStamp {
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = -1;
    int64_t mtime_ns = -1;
    bool operator==(const FileStamp&) const = default;
};
FileStamp stamp_of(const std::string& path);

}  // namespace mail::maildir
