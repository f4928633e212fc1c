#include "imapd/auth/root_session.hpp"

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <memory>
#include <optional>
#include <unistd.h>

#include "config/config.hpp"
#include "config/user_store.hpp"
#include "imapd/auth/admin_files.hpp"
#include "imapd/auth/login_service.hpp"
#include "imapd/auth/pam_passdb.hpp"
#include "imapd/auth/passwd_file.hpp"
#include "imapd/log/client_address.hpp"
#include "imapd/log/log.hpp"
#include "imapd/log/session_end.hpp"
#include "imapd/session/session.hpp"
#include "imapd/tls/client_connection.hpp"
#include "imapd/tls/tls_config.hpp"
#include "mailbox/store.hpp"

namespace mail::imapd {

namespace {

constexpr int kImapsPort = 993;

std::unique_ptr<PassDb> make_passdb(const Config& config) {
    const std::string& passdb = config.string("passdb");
    constexpr std::string_view kFile = "passwd-file:";
    if (passdb.rfind(kFile, 0) == 0) return make_passwd_file_db(passdb.substr(kFile.size()));
    return make_pam_db(config.string("pam_service"));
}

}  // namespace

int run_root_session(const std::string& config_path, bool implicit_tls) {
    const auto started = std::chrono::steady_clock::now();
    SessionEnd end;
    end.connect = std::time(nullptr);
    ClientConnection connection(STDIN_FILENO, STDOUT_FILENO);
    auto bye = [&](const std::string& text, int status) {
        connection.write("* BYE " + text + "\r\n");
        return status;
    };

    std::optional<Config> config;
    try {
        config = Config::load_for(config_path);
    } catch (const std::exception& e) {
        Log fallback("syslog");
        fallback.error(std::string("configuration: ") + e.what());
        return bye("Server configuration error; please tell the administrator", 78);
    }
    Log log(config->string("log_path"));
    ClientAddress client = client_address(STDIN_FILENO);
    enable_keepalive(STDIN_FILENO);
    end.host = client.host;

    auto finish = [&](int status) {
        measure_session(end, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        end.bytes_in = connection.bytes_in();
        end.bytes_out = connection.bytes_out();
        log.info(format_session_end(end));
        return status;
    };

    if (auto text = read_admin_file(config->string("shutdown_file"))) {
        log.info("shutdown file present: refused host=" + log_word(client.host));
        bye(text->empty() ? "Server shutting down" : *text, 0);
        return finish(0);
    }

    // Certificates are checked now, as root; a configured one that cannot
    // be used is the administrator's problem to hear about, and no session
    // runs without the TLS it promised. OpenSSL loads and parses them only
    // when TLS starts (TlsConfig), which a plaintext greeting does not wait
    // for; implicit TLS starts at once.
    std::unique_ptr<TlsConfig> tls;
    const std::string cert = config->string("tls_cert"), key = config->string("tls_key");
    implicit_tls = implicit_tls || client.local_port == kImapsPort;
    if (!cert.empty() || !key.empty()) {
        try {
            tls = std::make_unique<TlsConfig>(cert, key);
            if (implicit_tls) tls->server();
        } catch (const std::exception& e) {
            log.error(std::string("TLS: ") + e.what());
            bye("Server TLS configuration error; please tell the administrator", 78);
            return finish(78);
        }
    }
    if (implicit_tls) {
        if (!tls) {
            log.error("implicit TLS (-s or port 993) without tls_cert and tls_key");
            bye("Server TLS configuration error; please tell the administrator", 78);
            return finish(78);
        }
        if (!connection.start_tls(tls->server())) {
            log.info(connection.error() + " host=" + log_word(client.host));
            return finish(0);
        }
    }

    try {
        std::unique_ptr<PassDb> passdb = make_passdb(*config);
        LoginSettings settings;
        settings.plaintext_auth = config->string("plaintext_auth");
        settings.alert_file = config->string("alert_file");
        SessionOptions options;
        options.limits.max_message = config->size("max_message_size");
        options.limits.max_line = static_cast<size_t>(config->size("max_line_length"));
        options.autologout = config->duration("autologout");
        options.login_timeout = config->duration("login_timeout");

        // Runs after drop_privileges: the first look at the user's mail.
        auto open_store = [&](Session& session, const Account& account) {
            UserVars vars{account.user, account.home};
            // MAIL is not consulted here: in a root-started (inetd, systemd)
            // session it is the service's environment, not the user's, and
            // would override mail_location for every user. Dovecot too
            // honours only mail_location after a login. Preauthenticated
            // sessions (main.cpp) keep honouring MAIL.
            session.set_store(make_user_store(*config, vars, nullptr));
            end.user = account.user;
        };
        LoginService service(settings, *passdb, log, client, &connection, tls.get(), open_store);
        options.login = &service;

        Session session(connection, options);
        session.greet();
        session.run();
        if (connection.tls_pending() || !connection.error().empty())
            log.info((connection.error().empty() ? "TLS handshake not completed" : connection.error()) +
                     " host=" + log_word(client.host));
        log.info("logout: user=" + log_word(service.user()) + " host=" + log_word(client.host));
    } catch (const std::exception& e) {
        log.error(std::string("session: ") + e.what());
        bye("Internal server error", 70);
        return finish(70);
    }
    return finish(0);
}

}  // namespace mail::imapd
