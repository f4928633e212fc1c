// imapd [-c FILE] [-s]: one IMAP session on stdin/stdout, as inetd, xinetd,
// socat or ssh start it. Run by a user other than root it serves that user
// preauthenticated; run by root it will authenticate (not yet: BYE).
// Nothing but protocol goes to stdout and stderr: they may be the socket.
#include <csignal>
#include <cstdlib>
#include <exception>
#include <pwd.h>
#include <string>
#include <unistd.h>

#include "imapd/session/session.hpp"
#include "imapd/session/transport.hpp"

namespace {

int bye(mail::imapd::Transport& out, const std::string& text, int status) {
    out.write("* BYE " + text + "\r\n");
    return status;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace mail::imapd;
    std::signal(SIGPIPE, SIG_IGN);  // a closed connection shows as a failed write
    FdTransport transport(STDIN_FILENO, STDOUT_FILENO);

    std::string config_path = "/etc/imapd.conf";
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
    if (implicit_tls) return bye(transport, "TLS (-s) is not supported yet", 69);

    uid_t uid = getuid();
    if (uid == 0)
        return bye(transport,
                   "Login is not supported yet; run imapd as the mail user to be preauthenticated",
                   0);
    const passwd* pw = getpwuid(uid);
    if (!pw) return bye(transport, "Unknown user", 67);

    SessionOptions options;
    options.user = pw->pw_name;
    const char* home = std::getenv("HOME");
    options.home = home && *home ? home : pw->pw_dir;

    try {
        Session session(transport, options);
        session.greet();
        session.run();
    } catch (const std::exception&) {
        return bye(transport, "Internal server error", 70);
    }
    return 0;
}
