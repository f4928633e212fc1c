#include "imapd/protocol/command_reader.hpp"

#include <algorithm>
#include <strings.h>

#include "imapd/protocol/parse_error.hpp"

namespace mail::imapd {

namespace {

std::string upper(std::string s) {
    for (char& c : s)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return s;
}

constexpr size_t kSkipTail = 32;  // enough to see "{n+}" at the end of a skipped line

}  // namespace

CommandReader::CommandReader(const ParserLimits& limits) : limits_(limits) {}

void CommandReader::compact() {
    if (pos_ > 0) {
        buf_.erase(0, pos_);
        pos_ = 0;
    }
}

void CommandReader::feed(std::string_view bytes) {
    compact();
    buf_.append(bytes);
}

void CommandReader::reset_command() {
    cmd_.clear();
    line_bytes_ = 0;
    in_append_ = false;
}

// A line of command text that ends with "{n}" or "{n+}" (then CRLF or LF)
// announces a literal; "~{n}" a literal8, which `at` then points at.
std::optional<CommandReader::LiteralMarker> CommandReader::find_marker(std::string_view t,
                                                                       size_t base) {
    if (t.empty() || t.back() != '\n') return std::nullopt;
    t.remove_suffix(1);
    if (!t.empty() && t.back() == '\r') t.remove_suffix(1);
    if (t.empty() || t.back() != '}') return std::nullopt;
    t.remove_suffix(1);
    LiteralMarker m;
    if (!t.empty() && t.back() == '+') {
        m.synchronizing = false;
        t.remove_suffix(1);
    }
    size_t digits_end = t.size();
    while (!t.empty() && t.back() >= '0' && t.back() <= '9') t.remove_suffix(1);
    size_t ndigits = digits_end - t.size();
    if (ndigits == 0 || t.empty() || t.back() != '{') return std::nullopt;
    m.at = base + t.size() - 1;
    if (t.size() >= 2 && t[t.size() - 2] == '~') --m.at;  // literal8 (RFC 3516): APPEND's message
    for (size_t i = t.size(); i < digits_end; ++i) {
        uint64_t digit = static_cast<uint64_t>(t[i] - '0');
        if (m.size > (UINT64_MAX - digit) / 10) {
            m.size = UINT64_MAX;  // over every limit
            break;
        }
        m.size = m.size * 10 + digit;
    }
    return m;
}

CommandReader::Event CommandReader::fail(std::string status, std::string text, State then,
                                         uint64_t discard) {
    error_tag_ = "*";
    if (in_append_) {
        error_tag_ = append_.tag;
    } else {
        try {
            ArgReader r(cmd_, 0, limits_);
            std::string tag = r.tag();
            if (r.peek() == ' ' || r.at_end()) error_tag_ = std::move(tag);
        } catch (const ParseError&) {
        }
    }
    error_status_ = std::move(status);
    error_text_ = std::move(text);
    reset_command();
    state_ = then;
    remaining_ = discard;
    skip_tail_.clear();
    if (then == State::Discard && discard == 0) state_ = State::SkipLine;
    return Event::Error;
}

CommandReader::Event CommandReader::next() {
    for (;;) {
        size_t avail = buf_.size() - pos_;
        switch (state_) {
        case State::Line: {
            size_t nl = buf_.find('\n', pos_);
            if (nl == std::string::npos) {
                if (line_bytes_ + avail > limits_.max_line) {
                    cmd_.append(buf_, pos_, std::min<size_t>(avail, 256));  // for the tag
                    pos_ = buf_.size();
                    return fail("BAD", "Command line too long", State::SkipLine);
                }
                return Event::NeedInput;
            }
            size_t start = cmd_.size();
            size_t len = nl + 1 - pos_;
            cmd_.append(buf_, pos_, len);
            pos_ = nl + 1;
            line_bytes_ += len;
            if (auto e = on_segment(start); e != Event::NeedInput) return e;
            break;
        }
        case State::Literal: {
            size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, avail));
            cmd_.append(buf_, pos_, n);
            pos_ += n;
            remaining_ -= n;
            if (remaining_ == 0) state_ = State::Line;
            else return Event::NeedInput;
            break;
        }
        case State::AppendPending:
            reject_message();
            break;
        case State::Message:
            skip_message();
            break;
        case State::Discard: {
            size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, avail));
            pos_ += n;
            remaining_ -= n;
            if (remaining_ > 0) return Event::NeedInput;
            state_ = State::SkipLine;
            skip_tail_.clear();
            break;
        }
        case State::SkipLine: {
            size_t nl = buf_.find('\n', pos_);
            size_t end = nl == std::string::npos ? buf_.size() : nl + 1;
            skip_tail_.append(buf_, pos_, end - pos_);
            if (skip_tail_.size() > kSkipTail) skip_tail_.erase(0, skip_tail_.size() - kSkipTail);
            pos_ = end;
            if (nl == std::string::npos) return Event::NeedInput;
            auto m = find_marker(skip_tail_, 0);
            skip_tail_.clear();
            if (m && !m->synchronizing) {
                state_ = State::Discard;
                remaining_ = m->size;
            } else {
                state_ = State::Line;
            }
            break;
        }
        }
    }
}

// A line segment (up to LF) was added to cmd_ at segment_start. Returns
// NeedInput to go on reading.
CommandReader::Event CommandReader::on_segment(size_t segment_start) {
    auto m = find_marker(std::string_view(cmd_).substr(segment_start), segment_start);
    if (line_bytes_ > limits_.max_line + 2) {
        bool discard = m && !m->synchronizing;
        return fail("BAD", "Command line too long", discard ? State::Discard : State::Line,
                    discard ? m->size : 0);
    }
    if (in_append_) return on_append_part(m ? &*m : nullptr, segment_start);
    if (!m) return finish_command();

    // Is this the message literal of an APPEND (any literal after the mailbox)?
    // And is there a tag and a command name at all, before we ask for data?
    ArgReader r(cmd_, 0, limits_);
    bool is_append = false;
    try {
        r.tag();
        r.sp();
        r.atom();
        if (r.peek() != ' ') throw ParseError("Expected a space");
    } catch (const ParseError& e) {
        return fail("BAD", e.what(), m->synchronizing ? State::Line : State::Discard,
                    m->synchronizing ? 0 : m->size);
    }
    r = ArgReader(cmd_, 0, limits_);
    try {
        std::string tag = r.tag();
        r.sp();
        if (upper(r.atom()) == "APPEND" && r.try_sp() && r.pos() != m->at) {
            is_append = true;
            append_ = AppendMessage{};
            append_.tag = std::move(tag);
            append_.mailbox = r.mailbox();
            in_append_ = true;
            return on_append_part(&*m, r.pos());
        }
    } catch (const ParseError& e) {
        if (is_append)
            return fail("BAD", e.what(), m->synchronizing ? State::Line : State::Discard,
                        m->synchronizing ? 0 : m->size);
        // Not an APPEND, or not well formed: finish_command() will say so.
    }
    return on_literal(*m);
}

CommandReader::Event CommandReader::on_literal(const LiteralMarker& m) {
    State on_error = m.synchronizing ? State::Line : State::Discard;
    uint64_t discard = m.synchronizing ? 0 : m.size;
    if (m.size > limits_.max_literal)
        return fail("BAD",
                    "Literal too large: the limit is " + std::to_string(limits_.max_literal) +
                        " bytes",
                    on_error, discard);
    if (!m.synchronizing && limits_.literal_minus && m.size > kLiteralMinusMax)
        return fail("BAD", "[TOOBIG] Non-synchronizing literals may be at most 4096 bytes",
                    on_error, discard);
    if (cmd_.size() + m.size > limits_.max_command)
        return fail("BAD", "Command too long", on_error, discard);
    state_ = State::Literal;
    remaining_ = m.size;
    if (m.synchronizing) return Event::Continuation;
    return Event::NeedInput;
}

// One part of an APPEND after the mailbox: [SP flag-list] [SP date-time] SP
// (literal / "UTF8 (" literal8), or the end of the command; a part after a
// UTF8 message starts with its ")".
CommandReader::Event CommandReader::on_append_part(const LiteralMarker* m, size_t part_start) {
    State on_error = m && !m->synchronizing ? State::Discard : State::Line;
    uint64_t discard = m && !m->synchronizing ? m->size : 0;
    ArgReader r(cmd_, part_start, limits_);
    try {
        if (append_.utf8) r.expect(')');
        append_.utf8 = false;
        if (!m) {
            r.end();
            reset_command();
            state_ = State::Line;
            return Event::AppendDone;
        }
        r.sp();
        append_.flags = {};
        append_.date.reset();
        if (r.peek() == '(') {
            append_.flags = r.flag_list();
            r.sp();
        }
        if (r.peek() == '"') {
            append_.date = r.date_time();
            r.sp();
        }
        if (r.try_word("UTF8")) {
            r.sp();
            r.expect('(');
            if (r.peek() != '~') throw ParseError("UTF8 message data must be a literal8 (~{n})");
            append_.utf8 = true;
        }
        if (r.pos() != m->at) throw ParseError("Expected a message literal");
    } catch (const ParseError& e) {
        return fail("BAD", e.what(), on_error, discard);
    }
    if (m->size > limits_.max_message)
        return fail("NO",
                    "[TOOBIG] Message too large: the limit is " +
                        std::to_string(limits_.max_message) + " bytes",
                    on_error, discard);
    if (!m->synchronizing && limits_.literal_minus && m->size > kLiteralMinusMax)
        return fail("BAD", "[TOOBIG] Non-synchronizing literals may be at most 4096 bytes",
                    on_error, discard);
    append_.size = m->size;
    append_.binary = cmd_[m->at] == '~';
    append_.synchronizing = m->synchronizing;
    remaining_ = m->size;
    state_ = State::AppendPending;
    return Event::AppendMessage;
}

CommandReader::Event CommandReader::finish_command() {
    if (cmd_ == "\r\n" || cmd_ == "\n") return fail("BAD", "Empty command line", State::Line);
    Command c;
    ArgReader r(cmd_, 0, limits_);
    try {
        c.tag = r.tag();
        if (r.at_end()) throw ParseError("Missing command name");
        r.sp();
        c.name = upper(r.atom());
        if (c.name == "UID") {
            r.sp();
            c.name = upper(r.atom());
            c.uid = true;
        }
        if (!r.at_end()) r.sp();
    } catch (const ParseError& e) {
        return fail("BAD", e.what(), State::Line);
    }
    c.args_pos = r.pos();
    c.text = std::move(cmd_);
    command_ = std::move(c);
    reset_command();
    state_ = State::Line;
    return Event::Command;
}

bool CommandReader::accept_message() {
    if (state_ != State::AppendPending) return false;
    state_ = remaining_ > 0 ? State::Message : State::Line;
    cmd_.clear();
    line_bytes_ = 0;
    bool sync = append_.synchronizing;
    append_.first = false;  // for the next part
    return sync;
}

void CommandReader::reject_message() {
    if (state_ != State::AppendPending) return;
    uint64_t size = remaining_;
    bool sync = append_.synchronizing;
    reset_command();
    if (sync) {
        state_ = State::Line;
    } else {
        state_ = size ? State::Discard : State::SkipLine;
        remaining_ = size;
        skip_tail_.clear();
    }
}

std::string_view CommandReader::message_bytes() {
    if (state_ != State::Message) return {};
    size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, buf_.size() - pos_));
    std::string_view out(buf_.data() + pos_, n);
    pos_ += n;
    remaining_ -= n;
    if (remaining_ == 0) state_ = State::Line;
    return out;
}

void CommandReader::skip_message() {
    if (state_ == State::Message) state_ = remaining_ ? State::Discard : State::SkipLine;
    else if (state_ == State::Line && in_append_) state_ = State::SkipLine;
    skip_tail_.clear();
    reset_command();
}

std::optional<std::string> CommandReader::take_line() {
    if (state_ != State::Line || !cmd_.empty()) return std::nullopt;
    size_t nl = buf_.find('\n', pos_);
    if (nl == std::string::npos) {
        if (buf_.size() - pos_ <= limits_.max_line) return std::nullopt;
        std::string junk = buf_.substr(pos_);
        pos_ = buf_.size();
        state_ = State::SkipLine;
        return junk;
    }
    size_t end = nl > pos_ && buf_[nl - 1] == '\r' ? nl - 1 : nl;
    std::string line = buf_.substr(pos_, end - pos_);
    pos_ = nl + 1;
    return line;
}

}  // namespace mail::imapd
