#include "drivers/unix/append_journal.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "drivers/unix/file_io.hpp"
#include "index/index_path.hpp"
#include "util/error.hpp"

namespace mail::unixmbox {

namespace {

std::string this_host() {
    char host[256] = "";
    ::gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = '\0';
    return host[0] ? host : "localhost";
}

bool parse_u64(std::string_view s, uint64_t& out) {
    if (s.empty()) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

std::vector<std::string_view> split_spaces(std::string_view s) {
    std::vector<std::string_view> parts;
    size_t i = 0;
    while (i < s.size()) {
        size_t j = s.find(' ', i);
        if (j == std::string_view::npos) j = s.size();
        parts.push_back(s.substr(i, j - i));
        i = j + 1;
    }
    return parts;
}

}  // namespace

std::string format_journal(const JournalRecord& r) {
    return std::to_string(r.pid) + " " + std::to_string(r.start_time) + " " + r.host + " " +
           std::to_string(r.start) + " " + std::to_string(r.from) + " " + std::to_string(r.length) + " " +
           std::to_string(r.head.size()) + "\n" + r.head;
}

std::optional<JournalRecord> parse_journal(std::string_view text) {
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) return std::nullopt;  // torn or empty
    std::vector<std::string_view> f = split_spaces(text.substr(0, nl));
    uint64_t head_length = 0;
    if (f.size() != 7 || f[2].empty() || !parse_u64(f[6], head_length)) return std::nullopt;
    if (text.size() - nl - 1 != head_length) return std::nullopt;  // torn
    JournalRecord r;
    uint64_t pid = 0;
    if (!parse_u64(f[0], pid) || pid == 0 || pid > 0x7fffffff) return std::nullopt;
    r.pid = static_cast<pid_t>(pid);
    if (!parse_u64(f[1], r.start_time) || !parse_u64(f[3], r.start) || !parse_u64(f[4], r.from) ||
        !parse_u64(f[5], r.length))
        return std::nullopt;
    r.host = std::string(f[2]);
    r.head = std::string(text.substr(nl + 1));
    // The head is the start of the append: an optional newline, then "From ".
    if (r.from < r.start || r.from > r.start + 1 || r.head.size() < r.from - r.start + 5 ||
        r.head.compare(r.from - r.start, 5, "From ") != 0 || (r.from > r.start && r.head[0] != '\n') ||
        r.length < r.head.size())
        return std::nullopt;
    return r;
}

uint64_t process_start_time(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string stat = ss.str();
    size_t paren = stat.rfind(')');  // the command name may hold spaces and parentheses
    if (paren == std::string::npos) return 0;
    std::vector<std::string_view> f = split_spaces(std::string_view(stat).substr(paren + 2));
    uint64_t t = 0;
    // fields after the name start at 3 (state); starttime is field 22
    if (f.size() > 19 && parse_u64(f[19], t)) return t;
    return 0;
}

JournalRecord journal_for_self(uint64_t start, uint64_t from, uint64_t length, std::string head) {
    JournalRecord r;
    r.pid = ::getpid();
    r.start_time = process_start_time(r.pid);
    r.host = this_host();
    r.start = start;
    r.from = from;
    r.length = length;
    r.head = std::move(head);
    return r;
}

bool writer_alive(const JournalRecord& r) {
    if (r.host != this_host()) return true;  // cannot tell: leave it
    if (::kill(r.pid, 0) < 0 && errno == ESRCH) return false;
    if (r.start_time == 0) return true;
    uint64_t now = process_start_time(r.pid);
    return now == 0 || now == r.start_time;  // another start time: the PID was reused
}

bool journal_pending(const std::string& journal_path) {
    struct stat st;
    return !journal_path.empty() && ::stat(journal_path.c_str(), &st) == 0 && st.st_size > 0;
}

AppendJournal::AppendJournal(const std::string& journal_path) {
    if (journal_path.empty() || !make_index_dir(journal_path)) return;
    fd_ = UniqueFd(::open(journal_path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
    if (fd_) return;
    if (errno != ENOENT) return;
    fd_ = UniqueFd(::open(journal_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd_) return;
    // A new name: make it durable, or a crash could lose the record with it.
    UniqueFd dir(::open(dir_of(journal_path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir) ::fsync(dir.get());
}

void AppendJournal::begin(const JournalRecord& record) {
    if (!fd_) return;
    std::string line = format_journal(record);
    if (::ftruncate(fd_.get(), 0) < 0) throw MailError(ErrorKind::Io, "cannot write the append journal");
    write_at(fd_.get(), 0, line);
}

void AppendJournal::end() {
    // A failure leaves a record of a finished append, which the repair keeps.
    if (fd_ && ::ftruncate(fd_.get(), 0) < 0) {}
}

std::optional<JournalRecord> AppendJournal::read() const {
    if (!fd_) return std::nullopt;
    std::string buf(64 * 1024, '\0');  // a record with its head (the keywords make it longer)
    ssize_t n = ::pread(fd_.get(), buf.data(), buf.size(), 0);
    if (n <= 0) return std::nullopt;
    return parse_journal(std::string_view(buf.data(), static_cast<size_t>(n)));
}

}  // namespace mail::unixmbox
