#include "mailbox/spool.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "drivers/unix/lock.hpp"
#include "drivers/unix/scanner.hpp"
#include "util/error.hpp"

namespace mail {

size_t snarf_spool(const std::string& spool_path, Mailbox& inbox, int lock_wait_seconds) {
    struct stat st;
    if (::stat(spool_path.c_str(), &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0) return 0;
    auto lock = unixmbox::MboxLock::acquire(spool_path, true, true, lock_wait_seconds);
    if (::fstat(lock.fd(), &st) < 0 || st.st_size == 0) return 0;
    uint64_t size = static_cast<uint64_t>(st.st_size);
    unixmbox::MboxScanner scanner;
    unixmbox::scan_file(lock.fd(), 0, size, scanner);
    scanner.finish(size);
    if (scanner.bad()) throw MailError(ErrorKind::Corrupt, "the mail spool is not in mbox format");
    auto fd = std::make_shared<const UniqueFd>(::dup(lock.fd()));
    size_t moved = 0;
    std::vector<char> buf(1 << 20);
    for (const auto& m : scanner.messages()) {
        if (m.pseudo) continue;  // UW's folder data, not mail
        AppendRequest req;
        req.flags = m.flags & kStorableFlags;
        req.keywords = m.keywords;
        req.internal_date = m.internal_date;
        req.zone_minutes = m.zone_minutes;
        MessageContent content(fd, m.visible);
        req.size_hint = content.length();
        auto sink = inbox.append(req);
        for (uint64_t off = 0;;) {
            size_t n = content.read(off, buf.data(), buf.size());
            if (n == 0) break;
            sink->write(std::string_view(buf.data(), n));
            off += n;
        }
        sink->commit();  // durable in INBOX before the spool forgets it
        ++moved;
    }
    if (::ftruncate(lock.fd(), 0) < 0 || ::fsync(lock.fd()) < 0)
        throw MailError(ErrorKind::Io, std::string("cannot empty the mail spool: ") + std::strerror(errno));
    return moved;
}

}  // namespace mail
