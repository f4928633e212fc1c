#include "imapd/log/log.hpp"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <syslog.h>
#include <unistd.h>

namespace mail::imapd {

namespace {

int syslog_priority(Log::Level level) {
    switch (level) {
    case Log::Level::Info: return LOG_INFO;
    case Log::Level::Warning: return LOG_WARNING;
    case Log::Level::Error: return LOG_ERR;
    }
    return LOG_INFO;
}

// "2026-11-25T23:04:35Z imapd[123]: " as a file log line starts.
std::string file_prefix() {
    char stamp[32];
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return std::string(stamp) + " imapd[" + std::to_string(getpid()) + "]: ";
}

}  // namespace

Log::Log(const std::string& log_path) {
    if (log_path == "stderr") {
        fd_.reset(fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3));
    } else if (!log_path.empty() && log_path != "syslog") {
        fd_.reset(::open(log_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
        if (!fd_) {
            int err = errno;
            openlog("imapd", LOG_PID | LOG_NDELAY, LOG_MAIL);
            syslog(LOG_ERR, "cannot open log_path %s: %s; logging to syslog", log_path.c_str(),
                   std::strerror(err));
            return;
        }
    }
    // LOG_NDELAY: the syslog socket is opened now, while /dev/log can still
    // be reached (before a chroot or privilege drop could get in the way).
    if (!fd_) openlog("imapd", LOG_PID | LOG_NDELAY, LOG_MAIL);
}

Log::~Log() {
    if (!fd_) closelog();
}

void Log::write(Level level, std::string_view text) {
    if (!fd_) {
        syslog(syslog_priority(level), "%.*s", static_cast<int>(text.size()), text.data());
        return;
    }
    std::string line = file_prefix();
    if (level == Level::Warning) line += "warning: ";
    if (level == Level::Error) line += "error: ";
    line += text;
    line += '\n';
    // One write() with O_APPEND: lines of concurrent sessions do not mix.
    ssize_t w;
    do {
        w = ::write(fd_.get(), line.data(), line.size());
    } while (w < 0 && errno == EINTR);
}

std::string log_word(std::string_view text) {
    static const char kHex[] = "0123456789ABCDEF";
    std::string out;
    if (text.empty()) return "-";
    if (text == "-") return "%2D";  // "-" alone means empty
    for (unsigned char c : text) {
        if (c > ' ' && c < 0x7f && c != '%') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

}  // namespace mail::imapd
