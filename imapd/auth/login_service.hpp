// What a root-started session needs before login: which capabilities to
// announce, whether a password may be sent yet (plaintext_auth, TLS),
// STARTTLS, checking passwords through a PassDb with a delay and a limit
// on failures, and, on success, the switch to the user (drop_privileges)
// before anything of the user's mail is touched. LOGIN, AUTHENTICATE and
// STARTTLS call it through SessionOptions::login; main builds it.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "imapd/auth/account.hpp"
#include "imapd/log/client_address.hpp"
#include "imapd/session/reply.hpp"

namespace mail::imapd {

class ClientConnection;
class Log;
class Session;
class TlsConfig;

struct LoginSettings {
    std::string plaintext_auth = "localhost";  // no | localhost | yes
    unsigned max_failures = 3;                 // failed logins before BYE
    std::chrono::milliseconds failure_delay{2000};
    std::string alert_file;                    // "" for none
    bool switch_user = true;                   // false only in tests: no drop_privileges
};

class LoginService {
public:
    // After the privileges are dropped: builds the user's Store in the
    // session (main supplies it; it may throw MailError or ConfigError).
    using OnLogin = std::function<void(Session&, const Account&)>;

    LoginService(LoginSettings settings, PassDb& passdb, Log& log, ClientAddress client,
                 ClientConnection* connection, TlsConfig* tls, OnLogin on_login);

    // The pre-login capabilities after "IMAP4rev1 ...": STARTTLS while TLS
    // is possible and not up, LOGINDISABLED while passwords may not be
    // sent, else AUTH=PLAIN AUTH=LOGIN; SASL-IR always.
    std::string capabilities() const;
    // Whether a password may be sent now.
    bool plaintext_allowed() const;
    bool tls_active() const;

    // Checks the password and on success switches to the user, builds the
    // Store, logs the login, sends the alert and sets the state. The reply
    // is the tagged response; on failure it waits failure_delay first, and
    // after max_failures ends the session with BYE.
    Reply login(Session& session, const std::string& user, const std::string& password,
                std::string_view mechanism);
    // STARTTLS: the reply, and the handshake arranged for after it is sent.
    // A certificate that cannot be used (it is parsed only now) is logged
    // and ends the session with BYE, as it does at the greeting.
    Reply start_tls(Session& session);

    const std::string& user() const { return user_; }
    const ClientAddress& client() const { return client_; }

private:
    Reply fail(Session& session, const std::string& user, const std::string& reason);

    LoginSettings settings_;
    PassDb& passdb_;
    Log& log_;
    ClientAddress client_;
    ClientConnection* connection_;
    TlsConfig* tls_;  // null: no certificate, no STARTTLS
    OnLogin on_login_;
    unsigned failures_ = 0;
    std::string user_;
};

}  // namespace mail::imapd
