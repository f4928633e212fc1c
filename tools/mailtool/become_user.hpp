// Running as the user whose mail a migration touches, so that no file ends
// up owned by root: the user's passwd entry, or, for a user without one
// (a walked /var/imap tree), the owner of the home directory.
#pragma once

#include <string>

namespace mail::tool {

// When the process is root, switches to the user's uid, gid and groups for
// good; otherwise does nothing. Throws MailError when it cannot, or when
// the user would be root.
void become_user(const std::string& user, const std::string& home);

}  // namespace mail::tool
