// Where imapd's log lines go: syslog (facility mail, ident "imapd", with the
// pid), stderr, or a file opened for appending. The file is opened before
// the privileges are dropped, so a root-owned log keeps working after.
// Under inetd stdout and stderr are the client's socket: "stderr" is for
// tests and foreground use only.
#pragma once

#include <string>
#include <string_view>

#include "util/fd.hpp"

namespace mail::imapd {

class Log {
public:
    enum class Level { Info, Warning, Error };

    // log_path is the configuration key's value: "syslog", "stderr" or a
    // file path. A file that cannot be opened falls back to syslog (and says
    // so there).
    explicit Log(const std::string& log_path = "syslog");
    ~Log();
    Log(const Log&) = delete;
    Log& operator=(const Log&) = delete;

    void write(Level level, std::string_view text);
    void info(std::string_view text) { write(Level::Info, text); }
    void warning(std::string_view text) { write(Level::Warning, text); }
    void error(std::string_view text) { write(Level::Error, text); }

    bool to_syslog() const { return !fd_; }

private:
    UniqueFd fd_;           // stderr (dup) or the file; empty: syslog
};

// Makes text safe for one log line: bytes outside printable ASCII, '%' and
// spaces become %XX, so that a value is one word and the line stays one line.
std::string log_word(std::string_view text);

}  // namespace mail::imapd
