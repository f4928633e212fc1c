// APPEND: the message is spooled to an unlinked temporary file beside the
// mailbox (its CRLF size must be known before the line that precedes it),
// then under the parse/append lock: UIDLAST in the header is raised and
// synced first (a crash then only skips a UID), the line and the message go
// at the end, fsync; on failure the file is truncated back. The mtime is
// kept, as mbx_append does, so that other sessions see new mail by the size.
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "drivers/mbx/mbx_mailbox.hpp"
#include "util/error.hpp"

namespace mail::mbx {

namespace {

std::string dir_of(const std::string& path) {
    size_t slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

UniqueFd temp_file_in(const std::string& dir) {
    UniqueFd fd(::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
    if (fd) return fd;
    std::string tmpl = dir + "/.mbx-append-XXXXXX";
    fd.reset(::mkostemp(tmpl.data(), O_CLOEXEC));
    if (!fd) throw_errno("cannot create a temporary file", errno);
    ::unlink(tmpl.c_str());
    return fd;
}

void copy_range(int from, int to, uint64_t length, uint64_t to_offset) {
    loff_t in = 0, out = static_cast<loff_t>(to_offset);
    while (length > 0) {
        ssize_t n = ::copy_file_range(from, &in, to, &out, length, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // not supported here (or nothing copied): plain reads and writes
        length -= static_cast<uint64_t>(n);
    }
    std::vector<char> buf(1 << 20);
    while (length > 0) {
        size_t chunk = static_cast<size_t>(std::min<uint64_t>(length, buf.size()));
        if (pread_some(from, buf.data(), chunk, static_cast<uint64_t>(in)) != chunk)
            throw MailError(ErrorKind::Io, "the spooled message is shorter than written");
        pwrite_all(to, std::string_view(buf.data(), chunk), static_cast<uint64_t>(out));
        in += static_cast<loff_t>(chunk);
        out += static_cast<loff_t>(chunk);
        length -= chunk;
    }
}

}  // namespace

class MbxAppendSink : public AppendSink {
public:
    MbxAppendSink(MbxMailbox& box, const AppendRequest& request)
        : box_(box), request_(request), tmp_(temp_file_in(dir_of(box.path()))) {}

    void write(std::string_view bytes) override {
        // mbx stores CRLF line ends: a bare LF becomes CRLF.
        out_.clear();
        for (char c : bytes) {
            if (c == '\n' && last_ != '\r') out_ += '\r';
            out_ += c;
            last_ = c;
        }
        pwrite_all(tmp_.get(), out_, size_);
        size_ += out_.size();
    }

    Uid commit() override {
        if (committed_) throw MailError(ErrorKind::Invalid, "message already committed");
        if (size_ == 0) throw MailError(ErrorKind::Invalid, "append of a zero-length message");
        uint32_t keywords = 0;
        for (const auto& name : request_.keywords)
            if (auto bit = box_.keyword_bit(name, true)) keywords |= 1u << *bit;
        MessageLine line;
        line.internal_date = request_.internal_date;
        line.zone_minutes = request_.zone_minutes;
        if (!line.internal_date) {
            time_t now = ::time(nullptr);
            struct tm tm;
            ::localtime_r(&now, &tm);
            line.internal_date = now;
            line.zone_minutes = static_cast<int32_t>(tm.tm_gmtoff / 60);
        }
        line.size = size_;
        line.keywords = keywords;
        line.flags = uw_from_system_flags(request_.flags & kStorableFlags);  // no fOLD: new to everyone
        // A session appending to the mailbox it has selected takes \Recent
        // for the message at once (fOLD in the line it writes anyway), so
        // that its next sync has nothing to write and fsync again.
        const bool own = !box_.deliver_;
        if (own) line.flags |= fOLD;

        const int fd = box_.fd();
        UwParseLock lock = box_.parse_lock();
        // Number what others appended first, so that UIDs rise in file order.
        struct stat st = fstat_or_throw(fd);
        if (mtime_ns(st) != box_.known_mtime_ns_) box_.flagcheck_ = true;
        box_.absorb_header(box_.read_header());
        if (static_cast<uint64_t>(st.st_size) < box_.parsed_size_) box_.rescan();
        else box_.parse_tail(st);
        st = fstat_or_throw(fd);
        const uint64_t end = static_cast<uint64_t>(st.st_size);
        line.uid = box_.last_uid_ + 1;
        if (request_.uid) {  // a copy keeping its source's UID (mailbox.hpp)
            const Uid highest = !box_.pending_.empty()   ? box_.pending_.back().info.uid
                                : !box_.messages_.empty() ? box_.messages_.back().uid
                                                          : 0;
            if (request_.uid <= highest)
                throw MailError(ErrorKind::Invalid, "the UID to keep is not above the mailbox's last UID");
            line.uid = request_.uid;
        }
        if (line.uid > box_.last_uid_) {
            char hex[16];
            std::snprintf(hex, sizeof hex, "%08x", line.uid);
            pwrite_all(fd, hex, kUidLastOffset);
            if (::fdatasync(fd) < 0) throw_errno("cannot write the mailbox", errno);
            box_.last_uid_ = line.uid;
        }
        const std::string text = format_message_line(line);
        try {
            pwrite_all(fd, text, end);
            copy_range(tmp_.get(), fd, size_, end + text.size());
            if (::fsync(fd) < 0) throw_errno("cannot write the message", errno);
        } catch (...) {
            if (::ftruncate(fd, static_cast<off_t>(end)) == 0) ::fsync(fd);  // leave no trace
            throw;
        }
        // New mail shows as a bigger file, not as a flag change.
        struct timespec times[2] = {{0, UTIME_NOW}, st.st_mtim};
        times[0].tv_sec = ::time(nullptr) - 1;
        times[0].tv_nsec = 0;
        ::futimens(fd, times);
        committed_ = true;
        if (own && box_.parsed_size_ == end) {  // known to the instance: no parse of it at the next sync
            Parsed p;
            p.slot.offset = end;
            p.slot.line_length = static_cast<uint32_t>(text.size());
            p.info.uid = line.uid;
            p.info.flags = (request_.flags & kStorableFlags) | kRecent;
            p.info.keywords = keywords;
            p.info.internal_date = line.internal_date;
            p.info.zone_minutes = line.zone_minutes;
            p.info.size = size_;
            box_.pending_.push_back(p);
            box_.parsed_size_ = end + p.slot.line_length + size_;
        }
        return line.uid;
    }

private:
    MbxMailbox& box_;
    AppendRequest request_;
    UniqueFd tmp_;
    std::string out_;
    uint64_t size_ = 0;
    char last_ = 0;
    bool committed_ = false;
};

std::unique_ptr<AppendSink> MbxMailbox::append(const AppendRequest& request) {
    if (read_only_) throw MailError(ErrorKind::Permission, "the mailbox is open read-only");
    return std::make_unique<MbxAppendSink>(*this, request);
}

}  // namespace mail::mbx
