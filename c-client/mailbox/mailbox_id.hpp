// A mailbox's MAILBOXID (RFC 8474): an id that stays with the mailbox across
// RENAME and that a re-created mailbox does not share. Maildir has one of
// its own (the GUID in dovecot-uidlist, Mailbox::mailbox_id()); mbx and unix
// mailboxes keep it in their index file of kind "id" (index/index_path.hpp),
// which RENAME moves and DELETE removes with the mailbox.
#pragma once

#include <string>
#include <string_view>

#include "mailbox/types.hpp"

namespace mail {

class Mailbox;
class Store;

// The id stored in the file id_path, creating the file with a new random id
// (32 lower-case hex digits, written to a temporary file and renamed into
// place, so that readers see the whole id or none) when it is missing or
// holds no valid id. Empty when the file can neither be read nor created.
std::string read_or_create_id_file(const std::string& id_path);

// The MAILBOXID of the mailbox at mailbox_path: box.mailbox_id() when the
// driver has one, else the id file's. When no id can be stored (a spool
// directory the user may not write), an id derived from the path and the
// UIDVALIDITY, stable while neither changes.
std::string mailbox_id(const Mailbox& box, const std::string& mailbox_path, std::string_view index_dir);

// The same for the store's mailbox of this name (open as box).
std::string mailbox_id(const Store& store, std::string_view name, const Mailbox& box);

// The EMAILID (RFC 8474) of the message with this UID in the mailbox with
// this MAILBOXID: "M", the id's first 12 characters ('_'-padded when
// shorter), the UID in lower-case hex. Stable while the message stays in the
// mailbox; a copy in another mailbox has another.
std::string email_id(std::string_view mailbox_id, Uid uid);

// True for a valid objectid (RFC 8474 4): 1 to 255 of [A-Za-z0-9_-].
bool is_object_id(std::string_view id);

}  // namespace mail
