#include <algorithm>
#include <cerrno>
#include <cstring>

#include "mailbox/types.hpp"
#include "util/error.hpp"

namespace mail {

MessageContent::MessageContent(std::shared_ptr<const UniqueFd> fd, std::vector<FileRange> ranges)
    : fd_(std::move(fd)), ranges_(std::move(ranges)) {
    for (const auto& r : ranges_) length_ += r.length;
}

size_t MessageContent::read(uint64_t offset, char* buf, size_t n) const {
    size_t done = 0;
    for (const auto& r : ranges_) {
        if (done == n) break;
        if (offset >= r.length) {
            offset -= r.length;
            continue;
        }
        uint64_t want = std::min<uint64_t>(r.length - offset, n - done);
        while (want > 0) {
            ssize_t got = ::pread(fd_->get(), buf + done, want, static_cast<off_t>(r.offset + offset));
            if (got < 0) {
                if (errno == EINTR) continue;
                throw MailError(ErrorKind::Io, std::string("cannot read message: ") + std::strerror(errno));
            }
            if (got == 0) return done;  // file shorter than recorded: truncated under us
            done += static_cast<size_t>(got);
            offset += static_cast<uint64_t>(got);
            want -= static_cast<uint64_t>(got);
        }
        offset = 0;
    }
    return done;
}

}  // namespace mail
