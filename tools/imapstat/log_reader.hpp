// Reading log files line by line: plain or gzip-compressed (zlib tells them
// apart), "-" for standard input, in a fixed-size buffer.
#pragma once

#include <ctime>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace mail::imapstat {

// base and its rotations that exist, oldest first: base.N.gz / base.N
// from the highest N down to base.1, then base.
std::vector<std::string> rotated_files(const std::string& base);

// Calls on_line for each line (without its newline). A line longer than the
// buffer (1 MB) is passed cut at the buffer's size, its rest dropped.
// mtime is set to the file's modification time (now for standard input).
// Returns an error message, empty on success.
std::string read_lines(const std::string& path, std::time_t& mtime,
                       const std::function<void(std::string_view)>& on_line);

}  // namespace mail::imapstat
