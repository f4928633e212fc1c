// libpam loaded with dlopen at the first PAM login instead of at exec: a
// preauthenticated session, or one that logs in through passwd-file, never
// maps libpam and the libaudit and libcap-ng it pulls in. imapd is not
// linked with -lpam, so a call that bypasses this table fails at link time.
#pragma once

#include <security/pam_appl.h>

namespace mail::imapd {

// Every PAM function imapd calls, typed by its declaration in the headers.
#define MAIL_PAM_FUNCTIONS(X)                                                                      \
    X(pam_start)                                                                                   \
    X(pam_end)                                                                                     \
    X(pam_set_item)                                                                                \
    X(pam_get_item)                                                                                \
    X(pam_authenticate)                                                                            \
    X(pam_acct_mgmt)                                                                               \
    X(pam_setcred)                                                                                 \
    X(pam_strerror)

struct Pam {
#define MAIL_PAM_MEMBER(name) decltype(&::name) name = nullptr;
    MAIL_PAM_FUNCTIONS(MAIL_PAM_MEMBER)
#undef MAIL_PAM_MEMBER
};

// Loads libpam.so.0 on the first call, then returns the same table. Throws
// std::runtime_error naming the library or the missing function when it
// cannot; a later call tries again.
const Pam& pam();

}  // namespace mail::imapd
