// Who a successful login is: the account the session switches to.
#pragma once

#include <string>
#include <sys/types.h>

namespace mail::imapd {

struct Account {
    std::string user;  // the canonical name (PAM may map the one typed)
    uid_t uid = 0;
    gid_t gid = 0;
    std::string home;
};

// The outcome of checking a user name and password.
struct AuthResult {
    bool ok = false;
    Account account;     // when ok
    std::string reason;  // for the log when not ok (never sent to the client)
};

// A password database: PAM or a passwd-file.
class PassDb {
public:
    virtual ~PassDb() = default;
    // rhost is the client's address, for PAM_RHOST and the log.
    virtual AuthResult authenticate(const std::string& user, const std::string& password,
                                    const std::string& rhost) = 0;
};

}  // namespace mail::imapd
