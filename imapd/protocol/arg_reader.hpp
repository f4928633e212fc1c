// A cursor over one complete command as received (wire bytes, literals
// inline as "{n}CRLF" + n bytes), with a typed reader for each RFC 3501
// argument form. Pure: no I/O. Every reader throws ParseError with a text
// fit for the client's BAD. Command handlers read their arguments with it:
//     auto set = args.sequence_set(); args.sp(); auto items = parse_fetch(args);
//     args.end();
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "imapd/protocol/datetime.hpp"
#include "imapd/protocol/limits.hpp"
#include "imapd/protocol/sequence_set.hpp"

namespace mail::imapd {

// Flags as STORE and APPEND take them: system flags as mail::SystemFlag
// bits, keywords by name.
struct FlagList {
    uint32_t flags = 0;
    std::vector<std::string> keywords;
    bool operator==(const FlagList&) const = default;
};

class ArgReader {
public:
    explicit ArgReader(std::string_view text, size_t pos = 0, const ParserLimits& limits = {});

    size_t pos() const { return pos_; }
    std::string_view text() const { return text_; }
    // At the line end that ends the command (or the end of the text).
    bool at_end() const;
    // Requires at_end(): "Unexpected extra arguments" otherwise.
    void end() const;
    char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

    void sp();
    bool try_sp();
    void expect(char c);
    bool try_char(char c);
    // Consumes word (case-insensitively) if it is next and ends there.
    bool try_word(std::string_view word);

    std::string atom();  // 1*ATOM-CHAR
    std::string tag();   // 1*<ASTRING-CHAR except "+">
    std::string quoted();
    std::string literal();
    std::string string();  // quoted / literal
    std::string astring();
    std::optional<std::string> nstring();
    uint32_t number();     // 32-bit
    uint32_t nz_number();
    uint64_t number64();

    // A mailbox name: astring, with "INBOX" in any case made "INBOX".
    std::string mailbox();
    // LIST's mailbox pattern: list-char atom (with % * ]) or string.
    std::string list_mailbox();
    SequenceSet sequence_set();
    // "(" [flag *(SP flag)] ")"; only the five storable system flags.
    FlagList flag_list();
    // Flags without parentheses, as STORE also accepts.
    FlagList flags_unparenthesised();
    // Search date: date-text or quoted date-text, as days since the epoch.
    int64_t date();
    // APPEND's quoted date-time.
    DateTime date_time();

    // Parenthesis nesting, counted against ParserLimits::max_depth.
    void open_paren();
    void close_paren();
    // Counts one more item against ParserLimits::max_items.
    void count_item();

    const ParserLimits& limits() const { return limits_; }

private:
    void flag_into(FlagList& out);

    std::string_view text_;
    size_t pos_;
    ParserLimits limits_;
    size_t depth_ = 0;
    size_t items_ = 0;
};

bool is_atom_char(char c);
bool is_astring_char(char c);  // ATOM-CHAR or "]"

}  // namespace mail::imapd
