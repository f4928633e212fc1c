// Authentication through PAM (service pam_service, default "imap"): the
// password is handed to the modules through a conversation function, then
// pam_acct_mgmt checks the account (expired, locked) and pam_setcred
// establishes credentials, as UW imapd's ckp_pam does. The account itself
// (uid, gid, home) comes from getpwnam of the name PAM settled on.
#pragma once

#include <memory>
#include <string>

#include "imapd/auth/account.hpp"

namespace mail::imapd {

std::unique_ptr<PassDb> make_pam_db(std::string service);

}  // namespace mail::imapd
