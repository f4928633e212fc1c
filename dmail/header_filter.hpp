// The streaming filter dmail passes every incoming message through: it
// removes the header fields a sender could use to forge a message's flags,
// keywords or UIDs in one of our formats (Status, X-Status, X-Keywords,
// X-UID, X-IMAP, X-IMAPbase, any case, with their continuation lines),
// removes a leading "From " envelope line (procmail passes one; the unix
// driver writes its own) and remembers its sender, and remembers the From:
// field's value. Pure and incremental: bytes in any chunks, memory bounded
// (a line start of at most kMaxNameBytes, captured values cut at
// kMaxCaptureBytes), the body passed through untouched.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mail::dmail {

class HeaderFilter {
public:
    static constexpr size_t kMaxNameBytes = 64;
    static constexpr size_t kMaxCaptureBytes = 4096;

    void feed(std::string_view in, std::string& out);
    void finish(std::string& out);  // the input has ended

    // True once the blank line ending the header has been passed.
    bool header_done() const { return state_ == State::Body; }
    // The sender of a leading "From SENDER date" line; empty if none.
    std::string envelope_sender() const;
    // The raw (folded) value of the first From: field; empty if none.
    const std::string& from_field() const { return from_value_; }

private:
    enum class State { LineStart, Pass, Drop, Body };
    void decide(std::string& out, bool at_end);
    void take(char c);  // a byte of the current line, for the captures

    State state_ = State::LineStart;
    std::string start_;            // the current line's undecided start
    bool first_line_ = true;
    bool dropping_field_ = false;  // the current field is one we remove
    bool in_from_field_ = false;   // the current field is the first From:
    bool seen_from_ = false;
    bool in_envelope_ = false;     // the current line is the "From " line
    std::string envelope_line_;
    std::string from_value_;
};

// Whether a header field name is one dmail removes (case-insensitive).
bool is_forgeable_field(std::string_view name);

// The envelope sender to record: "-f/-r" if given, else the "From " line's,
// else the From: field's address, else MAILER-DAEMON; "<>" and "" mean
// MAILER-DAEMON; angle brackets are dropped and the result holds no
// whitespace or control characters (they would break the "From " line).
std::string choose_sender(std::string_view option, std::string_view envelope, std::string_view from_field);

}  // namespace mail::dmail
