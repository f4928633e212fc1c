#include "drivers/unix/recent_claim.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

#include "index/index_path.hpp"
#include "util/fd.hpp"

namespace mail::unixmbox {

namespace {

// The UID recorded for uidvalidity in the open, locked file (0: none yet,
// damaged, or another UIDVALIDITY's); nullopt when it cannot be read.
std::optional<Uid> recorded_uid(int fd, uint32_t uidvalidity) {
    char buf[64];
    ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    if (n < 0) return std::nullopt;
    uint32_t validity = 0;
    Uid last = 0;
    const char* end = buf + n;
    auto r = std::from_chars(buf, end, validity);
    if (r.ec == std::errc{} && r.ptr < end && *r.ptr == ' ') r = std::from_chars(r.ptr + 1, end, last);
    if (r.ec != std::errc{} || validity != uidvalidity) last = 0;
    return last;
}

bool lock(int fd, int how) {
    while (::flock(fd, how) < 0)
        if (errno != EINTR) return false;
    return true;
}

}  // namespace

Uid recent_claimed(const std::string& path, uint32_t uidvalidity) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd || !lock(fd.get(), LOCK_SH)) return 0;
    return recorded_uid(fd.get(), uidvalidity).value_or(0);
}

std::optional<Uid> claim_recent(const std::string& path, uint32_t uidvalidity, Uid upto) {
    if (!make_index_dir(path)) return std::nullopt;
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd || !lock(fd.get(), LOCK_EX)) return std::nullopt;
    std::optional<Uid> recorded = recorded_uid(fd.get(), uidvalidity);
    if (!recorded) return std::nullopt;
    Uid last = *recorded;
    if (upto > last) {
        std::string text = std::to_string(uidvalidity) + ' ' + std::to_string(upto) + '\n';
        if (::pwrite(fd.get(), text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()) ||
            ::ftruncate(fd.get(), static_cast<off_t>(text.size())) < 0)
            return std::nullopt;
    }
    return last;  // the flock goes with the descriptor
}

}  // namespace mail::unixmbox
