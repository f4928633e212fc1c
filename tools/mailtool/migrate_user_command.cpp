// mailtool migrate-user [-c FILE] [--from LOCATION] --to LOCATION [--home DIR] [-n] USER
#include <pwd.h>

#include <cstdio>

#include "config/config.hpp"
#include "tools/mailtool/become_user.hpp"
#include "tools/mailtool/migrate_user.hpp"
#include "tools/mailtool/subcommands.hpp"
#include "util/error.hpp"

namespace mail::tool {

bool MigrationOptions::take(const std::vector<std::string>& args, size_t& i) {
    const std::string& a = args[i];
    if (a == "-n" || a == "--dry-run") {
        dry_run = true;
        return true;
    }
    std::string* value = a == "-c" ? &config_path : a == "--from" ? &from : a == "--to" ? &to : nullptr;
    if (!value || i + 1 >= args.size()) return false;
    *value = args[++i];
    return true;
}

MigrationRequest make_request(const Config& config, const MigrationOptions& options, const std::string& user,
                              const std::string& home) {
    MigrationRequest r;
    r.user = user;
    r.home = home;
    UserVars vars{user, home};
    r.from = expand_location(options.from.empty() ? config.mail_location() : parse_location(options.from), vars);
    r.to = expand_location(parse_location(options.to), vars);
    r.from.index_dir = r.to.index_dir = config.path("index_dir", vars);
    r.spool = config.path("spool", vars);
    r.dry_run = options.dry_run;
    if (r.from.root == r.to.root && r.from.inbox == r.to.inbox)
        throw MailError(ErrorKind::Invalid, "--from and --to name the same mail");
    return r;
}

int run_migrate_user(const Args& args) {
    MigrationOptions options;
    std::string user, home;
    for (size_t i = 0; i < args.size(); ++i) {
        if (options.take(args, i)) continue;
        if (args[i] == "--home" && i + 1 < args.size()) home = args[++i];
        else if (user.empty() && !args[i].empty() && args[i][0] != '-') user = args[i];
        else user.clear(), i = args.size();
    }
    if (user.empty() || options.to.empty()) {
        std::fprintf(stderr, "usage: mailtool migrate-user [-c FILE] [--from LOCATION] --to LOCATION [--home DIR] [-n] USER\n");
        return kExitUsage;
    }
    if (home.empty()) {
        struct passwd* pw = ::getpwnam(user.c_str());
        if (!pw) throw MailError(ErrorKind::NotFound, "no such user: " + user + " (give --home)");
        home = pw->pw_dir;
    }
    Config config = Config::load_for(options.config_path);
    become_user(user, home);  // as root: the files stay the user's
    UserReport report = migrate_user(make_request(config, options, user, home), stdout);
    for (const std::string& p : report.problems) std::fprintf(stderr, "mailtool migrate-user: %s\n", p.c_str());
    return report.ok() ? 0 : 1;
}

}  // namespace mail::tool
