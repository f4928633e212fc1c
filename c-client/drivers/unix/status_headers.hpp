// The header lines through which UW c-client keeps IMAP state inside a
// Berkeley mbox, written and read as imap-2007f's unix.c does:
//
//   X-IMAPbase: <uidvalidity> <uidlast> <keyword>...   first message only,
//                                         when there is no pseudo-message
//   Status: R O              R \Seen; O the message is no longer \Recent
//   X-Status: D F A T        \Deleted \Flagged \Answered \Draft
//   X-Keywords: <kw>...      padded with spaces to a constant size
//   X-UID: <uid>
//
// or, in a first "folder internal data" pseudo-message from MAILER-DAEMON,
//   X-IMAP: <uidvalidity 10 digits> <uidlast 10 digits> <keyword>...
//
// These lines are hidden from clients. Pure, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mail::unixmbox {

enum class HiddenField { None, Status, XStatus, XKeywords, XUid, XImap, XImapBase };

// Which hidden field a header line (at the start of a field) is, by its
// name compared without case as UW does.
HiddenField hidden_field(std::string_view line);

// The value after "Name:" (leading spaces and the line end removed).
std::string_view field_value(std::string_view line);

// Flag letters of Status/X-Status: R O D F A T.
struct StatusLetters {
    uint32_t flags = 0;  // SystemFlag bits
    bool old = false;    // 'O'
};
void parse_status_letters(std::string_view value, StatusLetters& out);

// X-IMAP / X-IMAPbase values.
struct MailboxBase {
    uint32_t uidvalidity = 0;
    uint32_t uid_last = 0;
    std::vector<std::string> keywords;
    bool operator==(const MailboxBase&) const = default;
};
// nullopt unless a non-zero validity and a last UID are present.
std::optional<MailboxBase> parse_base(std::string_view value);

// Keyword names separated by spaces.
std::vector<std::string> parse_keyword_list(std::string_view value);

// The status block unix_xstatus writes at the end of a header, with the
// blank line that ends the header. base: write X-IMAPbase first.
std::string format_status(uint32_t flags, bool old, const std::vector<std::string>& keywords, uint32_t uid,
                          const MailboxBase* base);

// The whole pseudo-message (From line to its trailing blank line).
std::string format_pseudo(const MailboxBase& base, int64_t now);

constexpr std::string_view kPseudoSubject = "DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA";

}  // namespace mail::unixmbox
