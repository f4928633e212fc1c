// imapstat's command line:
//   imapstat [--since DATE] [--until DATE] [--json | --csv | --html DIR]
//            [--top N] [FILE...]
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mail::imapstat {

enum class Format { Text, Json, Csv, Html };

struct Options {
    std::optional<std::time_t> since;  // sessions that started at or after
    std::optional<std::time_t> until;  // ... and before
    Format format = Format::Text;
    std::string html_dir;
    size_t top = 10;
    std::vector<std::string> files;    // empty: /var/log/mail.log and rotations
    bool help = false;
};

// Parses argv[1..]; on a mistake, error says what is wrong.
std::optional<Options> parse_options(const std::vector<std::string>& args, std::string& error);

// DATE: YYYY-MM-DD, or YYYY-MM-DD[T ]HH:MM[:SS], local time unless it ends
// in Z or carries an offset (RFC 3339). A date alone means the start of the
// day, or with end_of_day its end (so that --until 2025-11-30 includes that
// day).
std::optional<std::time_t> parse_date(std::string_view text, bool end_of_day);

extern const char* const kUsage;

}  // namespace mail::imapstat
