#include "drivers/unix/index_store.hpp"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <iterator>

#include "index/index_path.hpp"
#include "util/fd.hpp"

namespace mail::unixmbox {

namespace {

constexpr uint64_t kEdge = 4096;          // bytes hashed at each end of what the index covers
constexpr size_t kSamples = 16;           // headers compared when size and mtime are unchanged
constexpr uint64_t kMaxIndexSize = 1ull << 30;

bool read_all(int fd, uint64_t offset, char* buf, size_t n) {
    while (n > 0) {
        ssize_t got = ::pread(fd, buf, n, static_cast<off_t>(offset));
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return false;
        buf += got;
        n -= static_cast<size_t>(got);
        offset += static_cast<uint64_t>(got);
    }
    return true;
}

// The clock (coarse, as file times are taken from it) is past mtime, so a
// later change gets a later mtime. Not waited for: the mailbox is locked.
bool clock_past(const struct stat& st) {
    struct timespec now;
    ::clock_gettime(CLOCK_REALTIME_COARSE, &now);
    return now.tv_sec > st.st_mtim.tv_sec || (now.tv_sec == st.st_mtim.tv_sec && now.tv_nsec > st.st_mtim.tv_nsec);
}

IndexStamp stamp_of(int fd, const struct stat& st, uint64_t covered) {
    IndexStamp s;
    s.dev = static_cast<uint64_t>(st.st_dev);
    s.ino = static_cast<uint64_t>(st.st_ino);
    s.size = static_cast<uint64_t>(st.st_size);
    s.mtime_sec = st.st_mtim.tv_sec;
    s.mtime_nsec = st.st_mtim.tv_nsec;
    s.covered = covered;
    s.head_hash = hash_range(fd, 0, std::min(kEdge, covered));
    s.tail_hash = hash_range(fd, covered - std::min(kEdge, covered), covered);
    return s;
}

bool header_matches(int fd, const ScannedMessage& m) {
    return hash_range(fd, m.start, m.body) == m.header_hash;
}

}  // namespace

uint64_t hash_range(int fd, uint64_t from, uint64_t to, uint64_t h) {
    char buf[16384];
    while (from < to) {
        size_t n = static_cast<size_t>(std::min<uint64_t>(sizeof buf, to - from));
        if (!read_all(fd, from, buf, n)) return ~h;  // unreadable: matches nothing stored
        h = hash_bytes(std::string_view(buf, n), h);
        from += n;
    }
    return h;
}

std::optional<UnixIndex> load_index(const std::string& index_path) {
    UniqueFd fd(::open(index_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) return std::nullopt;
    struct stat st;
    if (::fstat(fd.get(), &st) < 0 || !S_ISREG(st.st_mode) || static_cast<uint64_t>(st.st_size) > kMaxIndexSize)
        return std::nullopt;
    std::string bytes(static_cast<size_t>(st.st_size), '\0');
    if (!read_all(fd.get(), 0, bytes.data(), bytes.size())) return std::nullopt;
    return parse_index(bytes);
}

bool save_index(const std::string& index_path, int fd, const struct stat& st, uint64_t covered,
                const std::vector<ScannedMessage>& messages) {
    if (index_path.empty() || !make_index_dir(index_path)) return false;
    UnixIndex index;
    index.stamp = stamp_of(fd, st, covered);
    index.stamp.settled = clock_past(st);
    index.messages = messages;  // a copy: the caller goes on with its own
    std::string bytes = encode_index(index);
    std::string temp = index_path + ".tmp." + std::to_string(::getpid());
    UniqueFd out(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!out) return false;
    size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(out.get(), bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ::unlink(temp.c_str());
            return false;
        }
        done += static_cast<size_t>(n);
    }
    if (::rename(temp.c_str(), index_path.c_str()) < 0) {
        ::unlink(temp.c_str());
        return false;
    }
    return true;
}

bool index_matches(int fd, const struct stat& st, const UnixIndex& index) {
    const IndexStamp& s = index.stamp;
    uint64_t size = static_cast<uint64_t>(st.st_size);
    if (s.dev != static_cast<uint64_t>(st.st_dev) || s.ino != static_cast<uint64_t>(st.st_ino) || size < s.covered)
        return false;
    bool same_time = s.mtime_sec == st.st_mtim.tv_sec && s.mtime_nsec == st.st_mtim.tv_nsec;
    bool unchanged = size == s.size && same_time;
    if (!unchanged && size <= s.size) return false;  // changed in place, or shrunk
    if (hash_range(fd, 0, std::min(kEdge, s.covered)) != s.head_hash ||
        hash_range(fd, s.covered - std::min(kEdge, s.covered), s.covered) != s.tail_hash)
        return false;
    const auto& ms = index.messages;
    if (unchanged && s.settled) {
        size_t step = std::max<size_t>(1, ms.size() / kSamples);
        for (size_t i = 0; i < ms.size(); i += step)
            if (!header_matches(fd, ms[i])) return false;
        return ms.empty() || header_matches(fd, ms.back());
    }
    for (const ScannedMessage& m : ms)
        if (!header_matches(fd, m)) return false;
    return true;
}

ReadResult read_mailbox(int fd, const struct stat& st, const std::string& index_path) {
    uint64_t size = static_cast<uint64_t>(st.st_size);
    ReadResult r;
    std::optional<UnixIndex> index;
    if (!index_path.empty()) index = load_index(index_path);
    if (index && index_matches(fd, st, *index)) {
        uint64_t from = index->stamp.covered;
        MboxScanner scanner;
        scan_file(fd, from, size, scanner);
        scanner.finish(size);
        auto& tail = scanner.messages();
        // Only messages appended right where the index ends make a clean tail.
        if (from == size || (!scanner.bad() && !tail.empty() && tail.front().start == from)) {
            r.used_index = true;
            r.scanned_from = from;
            r.messages = std::move(index->messages);
            r.messages.insert(r.messages.end(), std::make_move_iterator(tail.begin()),
                              std::make_move_iterator(tail.end()));
            if (from < size) save_index(index_path, fd, st, size, r.messages);
            return r;
        }
    }
    index.reset();
    MboxScanner scanner;
    scan_file(fd, 0, size, scanner);
    scanner.finish(size);
    r.bad = scanner.bad();
    r.messages = std::move(scanner.messages());
    if (!r.bad) save_index(index_path, fd, st, size, r.messages);
    return r;
}

}  // namespace mail::unixmbox
