// The switch from root to the user after a successful login.
#pragma once

#include "imapd/auth/account.hpp"

namespace mail::imapd {

// initgroups, setgid, setuid (real, effective and saved ids), then checks
// that the switch cannot be undone: setuid(0) and setgid(0) must fail and
// every id must be the user's. Sets HOME, USER and LOGNAME, and changes to
// the home directory when it exists. Throws std::runtime_error on any
// failure: the caller must then end the session, never continue as root.
void drop_privileges(const Account& account);

}  // namespace mail::imapd
