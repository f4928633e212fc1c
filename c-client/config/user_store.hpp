// A user's Store as the configuration describes it: the mail location
// (with $MAIL overriding it, see Config::location_for) and the system
// spool whose new mail is moved into INBOX (config key spool).
#pragma once

#include <memory>

#include "config/config.hpp"
#include "mailbox/store.hpp"

namespace mail {

// The spool is set only when the key is not empty and does not name the
// INBOX itself (a user whose INBOX is /var/mail/USER reads it in place).
// It also carries the extension settings (special_use, quota_*: StoreSettings)
// and, with special_use_create = yes, creates the missing special-use
// mailboxes (callers make the store at login). Throws ConfigError.
std::unique_ptr<Store> make_user_store(const Config& config, const UserVars& vars,
                                       const char* mail_env);

}  // namespace mail
