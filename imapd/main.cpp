// imapd [-c FILE] [-s]: one IMAP session on stdin/stdout, as inetd, xinetd,
// socat or ssh start it. Run by a user other than root it serves that user
// preauthenticated; run by root it authenticates (imapd/auth/root_session).
// Nothing but protocol goes to stdout and stderr: they may be the socket.
#include <chrono>
#include <csignal>
#include <ctime>
#include <cstdlib>
#include <exception>
#include <pwd.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.hpp"
#include "config/user_store.hpp"
#include "imapd/auth/root_session.hpp"
#include "imapd/log/client_address.hpp"
#include "imapd/log/log.hpp"
#include "imapd/log/session_end.hpp"
#include "imapd/session/session.hpp"
#include "imapd/session/transport.hpp"
#include "mailbox/store.hpp"

namespace {

int bye(mail::imapd::Transport& out, const std::string& text, int status) {
    out.write("* BYE " + text + "\r\n");
    return status;
}

// Whether stderr may carry a message for the operator: not when it is the
// client's socket (inetd, xinetd) or the same file as stdin or stdout.
bool stderr_is_private() {
    struct stat err, in, out;
    if (::fstat(STDERR_FILENO, &err) < 0) return false;
    if (::isatty(STDERR_FILENO)) return true;
    if (S_ISSOCK(err.st_mode)) return false;
    if (!S_ISREG(err.st_mode) && !S_ISFIFO(err.st_mode)) return false;
    for (int fd : {STDIN_FILENO, STDOUT_FILENO})
        if (::fstat(fd, fd == STDIN_FILENO ? &in : &out) == 0) {
            const struct stat& other = fd == STDIN_FILENO ? in : out;
            if (other.st_dev == err.st_dev && other.st_ino == err.st_ino) return false;
        }
    return true;
}

// The configuration's part of the session options and the user's Store.
// Throws ConfigError (a bad file or value) naming the file and line.
std::unique_ptr<mail::Store> configure(const std::string& dash_c, mail::imapd::SessionOptions& options,
                                       std::string& log_path) {
    mail::Config config = mail::Config::load_for(dash_c);
    log_path = config.string("log_path");
    options.limits.max_message = config.size("max_message_size");
    options.autologout = config.duration("autologout");
    options.login_timeout = config.duration("login_timeout");
    mail::UserVars vars{options.user, options.home};
    return mail::make_user_store(config, vars, std::getenv("MAIL"));
}

}  // namespace

int main(int argc, char** argv) {
    using namespace mail::imapd;
    std::signal(SIGPIPE, SIG_IGN);  // a closed connection shows as a failed write
    FdTransport transport(STDIN_FILENO, STDOUT_FILENO);

    std::string config_path;  // empty: /etc/imapd.conf if present
    bool implicit_tls = false;
    opterr = 0;  // getopt must not print to stderr
    for (int c; (c = getopt(argc, argv, "c:s")) != -1;) {
        switch (c) {
        case 'c': config_path = optarg; break;
        case 's': implicit_tls = true; break;
        default: return bye(transport, "Usage: imapd [-c FILE] [-s]", 64);
        }
    }
    if (optind != argc) return bye(transport, "Usage: imapd [-c FILE] [-s]", 64);

    uid_t uid = getuid();
    if (uid == 0) return run_root_session(config_path, implicit_tls);  // imapd/auth/root_session.cpp
    if (implicit_tls) return bye(transport, "TLS (-s) needs imapd started by root", 69);
    const passwd* pw = getpwuid(uid);
    if (!pw) return bye(transport, "Unknown user", 67);

    SessionOptions options;
    options.user = pw->pw_name;
    const char* home = std::getenv("HOME");
    options.home = home && *home ? home : pw->pw_dir;

    const auto started = std::chrono::steady_clock::now();
    SessionEnd end;
    end.connect = std::time(nullptr);
    end.user = options.user;
    end.host = client_address(STDIN_FILENO).host;

    std::unique_ptr<mail::Store> store;
    std::string log_path;
    try {
        store = configure(config_path, options, log_path);
    } catch (const mail::MailError& e) {
        if (stderr_is_private()) {
            std::string line = std::string("imapd: ") + e.what() + "\n";
            (void)!::write(STDERR_FILENO, line.data(), line.size());
        }
        return bye(transport, "Server configuration error; please tell the administrator", 78);
    }

    int status = 0;
    try {
        Session session(transport, options);
        session.set_store(std::move(store));
        session.greet();
        session.run();
    } catch (const std::exception&) {
        status = bye(transport, "Internal server error", 70);
    }
    // The preauthenticated session's end is logged as a login session's is,
    // so that imapstat counts it; never to stderr when that is the client.
    if (log_path != "stderr" || stderr_is_private()) {
        measure_session(end, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        Log(log_path).info(format_session_end(end));
    }
    return status;
}
