#include "drivers/unix/scanner.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "drivers/unix/from_line.hpp"
#include "drivers/unix/index_file.hpp"
#include "util/error.hpp"

namespace mail::unixmbox {

namespace {

constexpr size_t kHeadCap = 64 * 1024;

bool blank_line(const LineRef& l) {
    return l.newline && (l.length == 1 || (l.length == 2 && l.crlf));
}

bool whitespace_only(const LineRef& l) {
    if (l.head.size() != l.length) return false;
    return std::all_of(l.head.begin(), l.head.end(),
                       [](char c) { return c == '\n' || c == '\r' || c == ' ' || c == '\t'; });
}

std::string_view without_line_end(std::string_view s) {
    if (!s.empty() && s.back() == '\n') s.remove_suffix(1);
    if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
    return s;
}

std::optional<FromLineDate> separator(const LineRef& l) {
    if (!l.newline || l.head.size() != l.length || l.length < 6 || l.head.substr(0, 5) != "From ")
        return std::nullopt;
    return parse_from_line(without_line_end(l.head));
}

}  // namespace

void MboxScanner::visible(const LineRef& l) {
    ScannedMessage& m = messages_.back();
    if (!m.visible.empty() && m.visible.back().offset + m.visible.back().length == l.offset)
        m.visible.back().length += l.length;
    else
        m.visible.push_back(FileRange{l.offset, l.length});
    m.size += l.length + ((l.newline && !l.crlf) ? 1 : 0);
}

void MboxScanner::hidden_line(HiddenField f, std::string_view text) {
    ScannedMessage& m = messages_.back();
    std::string_view v = field_value(text);
    switch (f) {
        case HiddenField::Status:
        case HiddenField::XStatus: {
            StatusLetters letters{m.flags, m.old};
            parse_status_letters(v, letters);
            m.flags = letters.flags;
            m.old = letters.old;
            m.has_status = true;
            break;
        }
        case HiddenField::XKeywords:
            for (auto& k : parse_keyword_list(v))
                if (std::find(m.keywords.begin(), m.keywords.end(), k) == m.keywords.end())
                    m.keywords.push_back(std::move(k));
            break;
        case HiddenField::XUid: {
            uint64_t uid = 0;
            auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), uid);
            if (ec == std::errc() && p != v.data()) m.xuid = uid;
            else m.xuid = 0;  // present but unreadable: never believed
            break;
        }
        case HiddenField::XImap:
        case HiddenField::XImapBase:
            if (!m.base) {
                m.base = parse_base(v);
                if (m.base && f == HiddenField::XImap) m.pseudo = true;
            }
            break;
        case HiddenField::None: break;
    }
}

void MboxScanner::close_current(uint64_t next) {
    if (messages_.empty() || state_ == State::Before) return;
    ScannedMessage& m = messages_.back();
    m.next = next;
    if (state_ == State::Header) {
        m.blank = m.body = m.end;
    } else if (last_blank_ && m.end - last_blank_ >= m.body) {
        // The blank line before the next From line separates; it is not text.
        m.end -= last_blank_;
        m.visible.back().length -= last_blank_;
        if (m.visible.back().length == 0) m.visible.pop_back();
        m.size -= 2;
    }
}

bool MboxScanner::line(const LineRef& l) {
    if (bad_) return false;
    if (state_ == State::Before && whitespace_only(l)) return true;  // UW skips these
    if (auto from = separator(l)) {
        close_current(l.offset);
        ScannedMessage m;
        m.start = l.offset;
        m.header = m.body = m.end = m.next = l.offset + l.length;
        m.internal_date = from->utc;
        m.zone_minutes = from->zone_minutes;
        m.header_hash = hash_bytes(l.head);
        messages_.push_back(std::move(m));
        state_ = State::Header;
        hiding_ = false;
        last_blank_ = 0;
        return true;
    }
    if (state_ == State::Before) {
        bad_ = true;
        return false;
    }
    ScannedMessage& m = messages_.back();
    m.end = l.offset + l.length;
    if (state_ == State::Header) {
        m.header_hash = hash_bytes(l.head, m.header_hash);
        if (blank_line(l)) {
            m.blank = l.offset;
            visible(l);
            state_ = State::Body;
            m.body = m.end;
            last_blank_ = 0;
            return true;
        }
        bool continuation = !l.head.empty() && (l.head[0] == ' ' || l.head[0] == '\t');
        if (!continuation) {
            HiddenField f = hidden_field(l.head);
            hiding_ = f != HiddenField::None;
            if (hiding_) hidden_line(f, l.head);
        }
        if (!hiding_) visible(l);
        return true;
    }
    visible(l);
    last_blank_ = blank_line(l) ? l.length : 0;
    return true;
}

void MboxScanner::finish(uint64_t end_offset) {
    // At the end of the data the trailing blank line is the separator too.
    close_current(end_offset);
    state_ = State::Before;
}

void scan_file(int fd, uint64_t from, uint64_t to, MboxScanner& scanner) {
    std::vector<char> buf(256 * 1024);
    size_t start = 0, have = 0;  // unconsumed bytes buf[start, have)
    uint64_t pos = from;         // file offset of buf[start]
    uint64_t read_pos = from;    // next file offset to read
    auto fill = [&]() -> size_t {
        if (read_pos >= to) return 0;
        size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size() - have, to - read_pos));
        for (;;) {
            ssize_t n = ::pread(fd, buf.data() + have, want, static_cast<off_t>(read_pos));
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw MailError(ErrorKind::Io, std::string("cannot read the mailbox: ") + std::strerror(errno));
            have += static_cast<size_t>(n);
            read_pos += static_cast<uint64_t>(n);
            return static_cast<size_t>(n);
        }
    };
    for (;;) {
        char* nl = static_cast<char*>(std::memchr(buf.data() + start, '\n', have - start));
        if (nl) {
            size_t len = static_cast<size_t>(nl - (buf.data() + start)) + 1;
            LineRef l{pos, len, std::string_view(buf.data() + start, len), true, len >= 2 && nl[-1] == '\r'};
            if (!scanner.line(l)) return;
            start += len;
            pos += len;
            continue;
        }
        if (start > 0 && have - start < buf.size()) {  // room to read more of this line
            std::memmove(buf.data(), buf.data() + start, have - start);
            have -= start;
            start = 0;
        }
        if (have < buf.size()) {
            if (fill() > 0) continue;
            if (have > start)  // last line without a line end
                scanner.line(LineRef{pos, have - start, std::string_view(buf.data() + start, have - start), false, false});
            return;
        }
        // A line longer than the buffer: keep its head, skip to its end.
        std::string head(buf.data(), kHeadCap);
        uint64_t len = have;
        char last = buf[have - 1];
        bool newline = false;
        for (;;) {
            have = 0;
            if (fill() == 0) break;
            char* e = static_cast<char*>(std::memchr(buf.data(), '\n', have));
            if (!e) {
                len += have;
                last = buf[have - 1];
                continue;
            }
            size_t part = static_cast<size_t>(e - buf.data()) + 1;
            bool crlf = part >= 2 ? e[-1] == '\r' : last == '\r';
            len += part;
            newline = true;
            if (!scanner.line(LineRef{pos, len, head, true, crlf})) return;
            pos += len;
            std::memmove(buf.data(), buf.data() + part, have - part);
            have -= part;
            start = 0;
            break;
        }
        if (!newline) {
            scanner.line(LineRef{pos, len, head, false, false});
            return;
        }
    }
}

std::vector<ScannedMessage> scan_bytes(std::string_view data, bool* bad) {
    MboxScanner scanner;
    size_t pos = 0;
    while (pos < data.size()) {
        size_t nl = data.find('\n', pos);
        size_t len = (nl == std::string_view::npos ? data.size() : nl + 1) - pos;
        std::string_view text = data.substr(pos, len);
        bool newline = nl != std::string_view::npos;
        LineRef l{pos, len, text.substr(0, std::min(len, kHeadCap)), newline, newline && len >= 2 && text[len - 2] == '\r'};
        if (!scanner.line(l)) break;
        pos += len;
    }
    scanner.finish(data.size());
    if (bad) *bad = scanner.bad();
    return std::move(scanner.messages());
}

}  // namespace mail::unixmbox
