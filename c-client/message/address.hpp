// RFC 5322 address lists as IMAP's ENVELOPE presents them. Pure, no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mail {

// One element of an IMAP address list (RFC 3501 7.4.2). A group is a start
// marker {NIL, NIL, "group name", NIL}, its members, then an end marker
// {NIL, NIL, NIL, NIL}.
struct Address {
    // Display name: quotes and escapes removed, words joined by one space,
    // the whitespace inside a quoted string or comment kept (ENVELOPE
    // collapses it, SEARCH does not, as Dovecot has it).
    std::optional<std::string> name;
    std::optional<std::string> adl;      // obsolete source route, "@a,@b"
    std::optional<std::string> mailbox;  // local part, unquoted
    std::optional<std::string> host;     // domain

    bool is_group_start() const { return mailbox && !host; }
    bool is_group_end() const { return !mailbox && !host; }
    friend bool operator==(const Address&, const Address&) = default;
};

// Placeholders for the parts an address lacks, as Dovecot writes them.
inline constexpr std::string_view kMissingMailbox = "MISSING_MAILBOX";
inline constexpr std::string_view kMissingDomain = "MISSING_DOMAIN";
// Host of an address whose <angle brackets> are not closed (Dovecot's).
inline constexpr std::string_view kSyntaxError = "SYNTAX_ERROR";

// Parses the (unfolded or raw) value of an address field: From, To, Cc...
// Accepts the obsolete syntax (routes, CFWS anywhere, null members, which
// are dropped, quoted and dotted local parts). A comment after a bare addr-spec becomes
// the display name ("a@b (Real Name)"). Missing parts are filled with
// kMissingMailbox / kMissingDomain. Parsing stops at the first syntax error
// and keeps what it has, as Dovecot does. Never fails.
std::vector<Address> parse_address_list(std::string_view value);

// The first real mailbox of a list (group markers skipped), for SORT FROM/TO.
std::optional<Address> first_mailbox(const std::vector<Address>& list);

// "mailbox@host" of an address (without the placeholders' text for parts
// that were missing), e.g. as a sort key.
std::string address_spec(const Address& a);

// The list written back as text, as Dovecot's message_address_write()
// does and SEARCH FROM/TO/CC/BCC match against: `name <@route:local@host>`
// (a name that is no atom run quoted, one with an encoded word as it is),
// `<local@host>` without a name, groups as `name: members;`, separated by
// ", ". So a search matches the address however the header spelt it
// (comments, quoting, folding).
std::string address_list_text(const std::vector<Address>& list);

// Whitespace runs (space, tab, CR, LF) collapsed to one space, leading and
// trailing whitespace removed, NUL turned into 0x80: how Dovecot presents
// subjects and display names ("string for humans").
std::string collapse_whitespace(std::string_view s);

}  // namespace mail
