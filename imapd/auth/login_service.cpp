#include "imapd/auth/login_service.hpp"

#include <exception>
#include <thread>

#include "imapd/auth/admin_files.hpp"
#include "imapd/auth/privileges.hpp"
#include "imapd/log/log.hpp"
#include "imapd/session/session.hpp"
#include "imapd/tls/client_connection.hpp"
#include "imapd/tls/tls_config.hpp"

namespace mail::imapd {

LoginService::LoginService(LoginSettings settings, PassDb& passdb, Log& log, ClientAddress client,
                           ClientConnection* connection, TlsConfig* tls, OnLogin on_login)
    : settings_(std::move(settings)),
      passdb_(passdb),
      log_(log),
      client_(std::move(client)),
      connection_(connection),
      tls_(tls),
      on_login_(std::move(on_login)) {}

bool LoginService::tls_active() const { return connection_ && connection_->tls_active(); }

bool LoginService::plaintext_allowed() const {
    if (tls_active()) return true;
    if (settings_.plaintext_auth == "yes") return true;
    if (settings_.plaintext_auth == "localhost") return client_.loopback;
    return false;
}

std::string LoginService::capabilities() const {
    std::string caps;
    if (tls_ && connection_ && !tls_active() && !connection_->tls_pending()) caps += " STARTTLS";
    if (plaintext_allowed())
        caps += " AUTH=PLAIN AUTH=LOGIN";
    else
        caps += " LOGINDISABLED";
    caps += " SASL-IR";
    return caps;
}

Reply LoginService::fail(Session& session, const std::string& user, const std::string& reason) {
    ++failures_;
    log_.info("failed login: user=" + log_word(user) + " host=" + log_word(client_.host) +
              " reason=" + log_word(reason));
    // The delay slows password guessing; the client sees nothing until it ends.
    session.flush();
    std::this_thread::sleep_for(settings_.failure_delay);
    if (failures_ >= settings_.max_failures) {
        log_.info("too many failed logins: host=" + log_word(client_.host));
        session.untagged("BYE Too many failed logins");
        session.set_state(State::Logout);
    }
    return Reply::no("[AUTHENTICATIONFAILED] Authentication failed.");
}

Reply LoginService::login(Session& session, const std::string& user, const std::string& password,
                          std::string_view mechanism) {
    if (!plaintext_allowed())
        return Reply::no("[PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure "
                         "(TLS) connections.");
    if (user.empty() || user.size() > 256 || user.find('\0') != std::string::npos ||
        password.size() > 1024)
        return fail(session, user, "malformed user name or password");

    AuthResult r = passdb_.authenticate(user, password, client_.host);
    if (!r.ok) return fail(session, user, r.reason);

    try {
        if (settings_.switch_user) drop_privileges(r.account);
    } catch (const std::exception& e) {
        log_.error("cannot switch to user " + log_word(r.account.user) + ": " + e.what());
        session.untagged("BYE Internal error while logging in");
        session.set_state(State::Logout);
        return Reply::no("[SERVERBUG] Login failed");
    }
    user_ = r.account.user;
    try {
        if (on_login_) on_login_(session, r.account);
    } catch (const std::exception& e) {
        log_.error("login of " + log_word(user_) + ": cannot open the mail store: " + e.what());
        session.untagged("BYE Cannot open your mail");
        session.set_state(State::Logout);
        return Reply::no("[SERVERBUG] Login failed");
    }
    std::string how = std::string(mechanism);
    if (tls_active()) how += " tls=" + log_word(connection_->tls_description());
    log_.info("login: user=" + log_word(user_) + " host=" + log_word(client_.host) +
              " mech=" + how);
    session.set_state(State::Authenticated);
    if (auto alert = read_admin_file(settings_.alert_file); alert && !alert->empty())
        session.untagged("OK [ALERT] " + *alert);
    return Reply::ok("[CAPABILITY " + session.capabilities() + "] Logged in");
}

Reply LoginService::start_tls(Session& session) {
    if (!tls_ || !connection_) return Reply::bad("STARTTLS is not available (no certificate)");
    if (tls_active() || connection_->tls_pending()) return Reply::bad("TLS is already active");
    // Anything the client sent after STARTTLS came in plaintext and must not
    // be taken as if it came through TLS (the STARTTLS command injection).
    if (session.reader().has_buffered_input())
        return Reply::bad("STARTTLS must be the last command sent before the handshake");
    const TlsServer* server = nullptr;
    try {
        server = &tls_->server();  // loads OpenSSL and the certificate now
    } catch (const std::exception& e) {
        log_.error(std::string("TLS: ") + e.what());
        session.untagged("BYE Server TLS configuration error; please tell the administrator");
        session.set_state(State::Logout);
        return Reply::no("[UNAVAILABLE] TLS is not available");
    }
    connection_->start_tls_before_next_read(*server);
    return Reply::ok("Begin TLS negotiation now");
}

}  // namespace mail::imapd
