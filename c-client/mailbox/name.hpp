// IMAP mailbox names as clients send them (modified UTF-7, hierarchy
// separator '/'): validation and LIST pattern matching. Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace mail {

constexpr char kHierarchySeparator = '/';
constexpr size_t kMaxMailboxNameBytes = 255;

// Throws MailError(Invalid) with a sentence saying what is wrong when the
// name could leave the mail area or is not a valid mailbox name: empty,
// too long, control or 8-bit characters, an absolute path, "~user", an empty,
// "." or ".." component, a component starting with '.', a wildcard, bad
// modified UTF-7.
void validate_mailbox_name(std::string_view name);

// "inbox", "Inbox/x"... become "INBOX", "INBOX/x"; a trailing separator is
// dropped ("a/" names "a"; Store::create sees it in the raw name and makes a
// directory of "a" in mbx and unix stores).
std::string canonical_mailbox_name(std::string_view name);

// RFC 3501 LIST matching: '*' matches anything, '%' anything but the
// separator. INBOX is matched case-insensitively.
bool list_match(std::string_view pattern, std::string_view name);

}  // namespace mail
