#include "header_filter.hpp"

#include <strings.h>

#include "message/address.hpp"

namespace mail::dmail {

namespace {

constexpr std::string_view kForgeable[] = {"Status", "X-Status", "X-Keywords", "X-UID", "X-IMAP", "X-IMAPbase"};

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

bool is_forgeable_field(std::string_view name) {
    for (auto f : kForgeable)
        if (iequals(name, f)) return true;
    return false;
}

void HeaderFilter::take(char c) {
    if (in_envelope_) {
        if (envelope_line_.size() < kMaxCaptureBytes) envelope_line_ += c;
    } else if (in_from_field_) {
        if (from_value_.size() < kMaxCaptureBytes) from_value_ += c;
    }
}

// Called with each new byte of a line's start: once the start tells what the
// line is, the line is passed or dropped and the start is handled as such.
void HeaderFilter::decide(std::string& out, bool at_end) {
    std::string_view s = start_;
    if (first_line_) {
        constexpr std::string_view kFrom = "From ";
        if (s.size() < kFrom.size() && kFrom.substr(0, s.size()) == s && !at_end) return;  // wait
        first_line_ = false;
        if (s.substr(0, kFrom.size()) == kFrom) {
            in_envelope_ = true;
            state_ = State::Drop;
            for (char c : s.substr(kFrom.size())) take(c);
            if (s.back() == '\n') {
                in_envelope_ = false;
                state_ = State::LineStart;
            }
            start_.clear();
            return;
        }
    }
    in_envelope_ = false;
    if (s[0] == ' ' || s[0] == '\t') {  // a continuation: as its field
        state_ = dropping_field_ ? State::Drop : State::Pass;
    } else if (s == "\n" || s == "\r\n") {
        out += s;
        start_.clear();
        state_ = State::Body;
        return;
    } else if (s == "\r" && !at_end) {
        return;  // wait for the LF
    } else if (size_t colon = s.find(':'); colon != std::string_view::npos) {
        std::string_view name = s.substr(0, colon);
        while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
        dropping_field_ = is_forgeable_field(name);
        in_from_field_ = !dropping_field_ && !seen_from_ && iequals(name, "From");
        if (in_from_field_) seen_from_ = true;
        state_ = dropping_field_ ? State::Drop : State::Pass;
        if (state_ == State::Pass) out += s.substr(0, colon + 1);
        for (char c : s.substr(colon + 1)) {
            if (state_ == State::Pass) out += c;
            take(c);
        }
        if (s.back() == '\n') state_ = State::LineStart;
        start_.clear();
        return;
    } else if (s.back() != '\n' && s.size() < kMaxNameBytes && !at_end) {
        return;  // the field name is not complete yet
    } else {
        // Not a field we know (no colon within kMaxNameBytes): kept as it is.
        dropping_field_ = in_from_field_ = false;
        state_ = State::Pass;
    }
    for (char c : s) {
        if (state_ == State::Pass) out += c;
        take(c);
    }
    if (s.back() == '\n') state_ = State::LineStart;
    start_.clear();
}

void HeaderFilter::feed(std::string_view in, std::string& out) {
    for (size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        switch (state_) {
        case State::Body:
            out.append(in.substr(i));
            return;
        case State::LineStart:
            start_ += c;
            decide(out, false);
            break;
        case State::Pass:
            out += c;
            take(c);
            if (c == '\n') state_ = State::LineStart;
            break;
        case State::Drop:
            take(c);
            if (c == '\n') {
                in_envelope_ = false;
                state_ = State::LineStart;
            }
            break;
        }
    }
}

void HeaderFilter::finish(std::string& out) {
    if (state_ == State::LineStart && !start_.empty()) decide(out, true);
    in_envelope_ = false;
}

std::string HeaderFilter::envelope_sender() const {
    std::string_view s = envelope_line_;
    size_t end = s.find_first_of(" \t\r\n");
    return std::string(s.substr(0, end));
}

namespace {

std::string clean_sender(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    if (s.size() >= 2 && s.front() == '<' && s.back() == '>') s = s.substr(1, s.size() - 2);
    std::string out;
    for (unsigned char c : s)
        if (c > ' ' && c != 0x7f) out += static_cast<char>(c);
    return out;
}

}  // namespace

std::string choose_sender(std::string_view option, std::string_view envelope, std::string_view from_field) {
    std::string sender;
    if (!option.empty()) {
        sender = clean_sender(option);
    } else if (!envelope.empty()) {
        sender = clean_sender(envelope);
    } else if (!from_field.empty()) {
        if (auto a = first_mailbox(parse_address_list(from_field)); a && a->mailbox && a->host)
            sender = clean_sender(address_spec(*a));
    }
    return sender.empty() ? std::string("MAILER-DAEMON") : sender;
}

}  // namespace mail::dmail
