// RFC 6154 special-use mailboxes: which mailbox is the Sent, Drafts, Trash...
// folder. Two sources: the configuration (key special_use, the same for
// every user) and the user's own choices made with CREATE ... (USE (...)),
// kept in a small file in the mail root (special_use_file()). Parsing and
// formatting are pure; load/save do the file I/O.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "mailbox/store.hpp"

namespace mail {

// Mailbox name (canonical, as clients see it) -> its attributes ("\\Sent").
using SpecialUseMap = std::map<std::string, std::vector<std::string>>;

// The RFC 6154 spelling of a special-use attribute ("\\sent" -> "\\Sent"),
// or "" when it is not one (\All \Archive \Drafts \Flagged \Junk \Sent \Trash).
std::string special_use_attribute(std::string_view word);

// Config key special_use: "Sent:\Sent, Drafts:\Drafts, Trash:\Trash" (a
// mailbox may appear twice for two uses). Throws MailError(Invalid) with a
// sentence naming the bad item.
SpecialUseMap parse_special_use_config(std::string_view text);

// The per-user file: one line a mailbox, "NAME\tATTR ATTR\n". Bad lines are
// skipped (the file is derived from CREATE commands, never hand-edited).
SpecialUseMap parse_special_use_file(std::string_view text);
std::string format_special_use_file(const SpecialUseMap& uses);

// Where the per-user file lives: ROOT/.imapd-special-use (a dot file, so no
// driver and no LIST sees it in any of the three layouts).
std::string special_use_file(const StoreLocation& location);
SpecialUseMap load_special_use(const std::string& path);  // missing file: empty
// Written to a temporary file, fsynced and renamed over the old one.
void save_special_use(const std::string& path, const SpecialUseMap& uses);

// Configured uses merged with the user's (the user's file wins for a name).
SpecialUseMap effective_special_use(const Store& store);

// Records the user's uses of a mailbox just created (CREATE ... USE); an
// empty list forgets what an earlier mailbox of that name had.
void set_user_special_use(const Store& store, const std::string& name, const std::vector<std::string>& uses);

// After a RENAME: the user's uses of from and of every mailbox below it
// move to the new names (INBOX stays INBOX, so its entry stays). After a
// DELETE, set_user_special_use(store, name, {}) forgets the name's uses.
// Configured uses belong to their configured names and do not move.
void rename_user_special_use(const Store& store, const std::string& from, const std::string& to);

// special_use_create = yes: creates every configured special-use mailbox
// that does not exist yet (at login). Errors are left to the caller.
void create_special_use_mailboxes(Store& store);

}  // namespace mail
