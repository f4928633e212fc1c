// dmail: procmail-compatible delivery into the user's mail, in whatever
// format the folder is (mbx, unix, maildir), through the same library as
// imapd. See docs/dmail.1.
//   dmail [-c FILE] [-D] [-f FROM | -r FROM] [-k KEYWORDS] [-I INBOX] [+FOLDER] [USER]
#include <grp.h>
#include <pwd.h>
#include <sys/types.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "args.hpp"
#include "config/config.hpp"
#include "lock/lock_timeout.hpp"
#include "deliver.hpp"
#include "exit_codes.hpp"
#include "util/error.hpp"

namespace {

using namespace mail::dmail;

void say(const std::string& line) {
    std::string text = "dmail: " + line + "\n";
    (void)!::write(STDERR_FILENO, text.data(), text.size());
}

void warn(const std::string& line) {
    say(line);
    ::syslog(LOG_WARNING, "%s", line.c_str());
}

int fail(int code, const std::string& line) {
    say(line);
    ::syslog(code == EX_TEMPFAIL ? LOG_WARNING : LOG_ERR, "%s", line.c_str());
    return code;
}

struct User {
    std::string name, home;
};

// Becomes the user named on the command line (root only: an MTA's mailbox
// command) or stays the invoking user. Returns 0 or an exit code.
int become_user(const Args& args, User& user) {
    if (!args.user.empty()) {
        errno = 0;
        const passwd* pw = ::getpwnam(args.user.c_str());
        if (!pw) return fail(EX_NOUSER, "no such user: " + args.user);
        if (::getuid() == 0) {
            if (::initgroups(pw->pw_name, pw->pw_gid) < 0 || ::setgid(pw->pw_gid) < 0 || ::setuid(pw->pw_uid) < 0)
                return fail(EX_TEMPFAIL, std::string("cannot become ") + args.user + ": " + std::strerror(errno));
            if (::setuid(0) == 0) return fail(EX_SOFTWARE, "could regain root after setuid");
        } else if (pw->pw_uid != ::getuid()) {
            return fail(EX_NOPERM, "only root may deliver for another user (" + args.user + ")");
        }
        user.name = pw->pw_name;
        user.home = pw->pw_dir;
        ::setenv("HOME", pw->pw_dir, 1);
        ::setenv("USER", pw->pw_name, 1);
        return 0;
    }
    const passwd* pw = ::getpwuid(::getuid());
    if (!pw) return fail(EX_NOUSER, "the invoking user is unknown");
    user.name = pw->pw_name;
    const char* home = std::getenv("HOME");
    user.home = home && *home ? home : pw->pw_dir;
    return 0;
}

// -I PATH: "~/x" relative to the home directory, a relative path too.
std::string inbox_path(const std::string& arg, const std::string& home) {
    if (arg.rfind("~/", 0) == 0) return home + arg.substr(1);
    if (!arg.empty() && arg[0] == '/') return arg;
    return home + "/" + arg;
}

}  // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    std::signal(SIGXFSZ, SIG_IGN);  // a file size limit shows as EFBIG: a clean failure
    ::openlog("dmail", LOG_PID, LOG_MAIL);

    std::vector<std::string_view> words(argv + (argc > 0 ? 1 : 0), argv + argc);
    ParsedArgs parsed = parse_args(words);
    if (!parsed.error.empty()) {
        say(parsed.error);
        say(kUsage);
        return EX_USAGE;
    }
    const Args& args = parsed.args;

    User user;
    if (int rc = become_user(args, user)) return rc;

    DeliveryOptions options;
    options.warn = warn;
    if (args.debug) options.debug = say;
    try {
        mail::Config config = mail::Config::load_for(args.config_path);
        options.max_message_size = config.size("max_message_size");
        mail::set_lock_timeout_seconds(static_cast<int>(config.duration("lock_timeout").count()));
        mail::UserVars vars{user.name, user.home};
        mail::StoreLocation location = config.location_for(vars, std::getenv("MAIL"));
        if (!args.inbox.empty()) location.inbox = inbox_path(args.inbox, user.home);
        if (args.debug)
            say("user " + user.name + ", " + location.format + " root " + location.root + ", INBOX " + location.inbox);
        mail::Store store(location);
        DeliveryResult r = deliver(store, args, STDIN_FILENO, options);
        if (args.debug) say("delivered " + std::to_string(r.bytes) + " bytes to " + r.folder + ", UID " + std::to_string(r.uid));
        return EX_OK;
    } catch (const mail::ConfigError& e) {
        return fail(EX_CONFIG, std::string("configuration: ") + e.what());
    } catch (const mail::MailError& e) {
        return fail(exit_code_for(e.kind()), std::string("not delivered: ") + e.what());
    } catch (const std::system_error& e) {
        return fail(exit_code_for_errno(e.code().value()), std::string("not delivered: ") + e.what());
    } catch (const std::exception& e) {
        return fail(EX_TEMPFAIL, std::string("not delivered: ") + e.what());
    }
}
