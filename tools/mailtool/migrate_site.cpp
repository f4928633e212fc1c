// mailtool migrate-site: many users' migrate-user at once.
//   mailtool migrate-site [-c FILE] [-j N] [--state FILE] [-n]
//                         (--users FILE | --walk DIR) [--from LOCATION] --to LOCATION
// Each user is migrated in a child process that has become the user
// (become_user.hpp) and dies with its parent; a user whose child succeeded
// is written to the state file ("done USER"), so a second run after an
// interruption skips it (and migrate-user's journal resumes the user that
// was cut off). Progress on stderr when it is a terminal; a summary at the
// end; exit status 0 only when every user went well.
#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "config/config.hpp"
#include "tools/mailtool/become_user.hpp"
#include "tools/mailtool/migrate_user.hpp"
#include "tools/mailtool/subcommands.hpp"
#include "util/error.hpp"

namespace mail::tool {

namespace {

struct SiteUser {
    std::string name, home;
};

std::string home_of(const std::string& user, const std::string& fallback) {
    if (struct passwd* pw = ::getpwnam(user.c_str())) return pw->pw_dir;
    return fallback;
}

// "USER [HOME]" a line; '#' comments.
std::vector<SiteUser> read_user_list(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw MailError(ErrorKind::NotFound, "cannot read the user list " + path);
    std::vector<SiteUser> users;
    for (std::string line; std::getline(in, line);) {
        line = line.substr(0, line.find('#'));
        std::istringstream words(line);
        SiteUser u;
        if (!(words >> u.name)) continue;
        words >> u.home;
        if (u.home.empty()) u.home = home_of(u.name, "");
        if (u.home.empty()) throw MailError(ErrorKind::NotFound, path + ": no such user and no home given: " + u.name);
        users.push_back(u);
    }
    return users;
}

std::vector<std::string> subdirs(const std::string& dir) {
    std::vector<std::string> out;
    if (DIR* d = ::opendir(dir.c_str())) {
        while (struct dirent* e = ::readdir(d))
            if (e->d_name[0] != '.' && e->d_type == DT_DIR) out.push_back(e->d_name);
        ::closedir(d);
    }
    std::sort(out.begin(), out.end());
    return out;
}

// DIR/%1/%2/%u: a user's home is the passwd entry's, or the walked directory.
std::vector<SiteUser> walk_users(const std::string& root) {
    std::vector<SiteUser> users;
    for (const auto& a : subdirs(root))
        for (const auto& b : subdirs(root + "/" + a))
            for (const auto& u : subdirs(root + "/" + a + "/" + b)) {
                std::string dir = root + "/" + a + "/" + b + "/" + u;
                users.push_back({u, home_of(u, dir)});
            }
    return users;
}

std::set<std::string> read_state(const std::string& path) {
    std::set<std::string> done;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);)
        if (line.rfind("done ", 0) == 0) done.insert(line.substr(5));
    return done;
}

void append_state(const std::string& path, const std::string& user) {
    std::string line = "done " + user + "\n";
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) throw MailError(ErrorKind::Io, "cannot write the state file " + path + ": " + std::strerror(errno));
    bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) throw MailError(ErrorKind::Io, "cannot write the state file " + path);
}

// The child: migrate one user, report into out (a file the parent reads).
[[noreturn]] void child(const Config& config, const MigrationOptions& options, const SiteUser& u, std::FILE* out) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // an interrupted site run leaves no orphan
    int status = 1;
    try {
        become_user(u.name, u.home);
        UserReport r = migrate_user(make_request(config, options, u.name, u.home), out);
        for (const auto& p : r.problems) std::fprintf(out, "PROBLEM %s\n", p.c_str());
        std::fprintf(out, "RESULT %zu %zu %zu %llu\n", r.folders, r.messages, r.appended,
                     static_cast<unsigned long long>(r.bytes));
        status = r.ok() ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(out, "PROBLEM %s: %s\n", u.name.c_str(), e.what());
    }
    std::fflush(out);
    ::_exit(status);
}

struct Totals {
    size_t users = 0, migrated = 0, skipped = 0, failed = 0;
    size_t folders = 0, messages = 0, appended = 0;
    unsigned long long bytes = 0;
    std::vector<std::string> problems;
};

void take_report(std::FILE* f, Totals& t) {
    std::rewind(f);
    char buf[4096];
    while (std::fgets(buf, sizeof buf, f)) {
        std::string line = buf;
        if (line.rfind("RESULT ", 0) == 0) {
            size_t folders = 0, messages = 0, appended = 0;
            unsigned long long bytes = 0;
            if (std::sscanf(line.c_str(), "RESULT %zu %zu %zu %llu", &folders, &messages, &appended, &bytes) == 4) {
                t.folders += folders;
                t.messages += messages;
                t.appended += appended;
                t.bytes += bytes;
            }
        } else if (line.rfind("PROBLEM ", 0) == 0) {
            if (!line.empty() && line.back() == '\n') line.pop_back();
            t.problems.push_back(line.substr(8));
        } else {
            std::fputs(line.c_str(), stdout);
        }
    }
    std::fflush(stdout);
}

}  // namespace

int run_migrate_site(const Args& args) {
    MigrationOptions options;
    std::string users_file, walk_dir, state_path = "mailtool-migrate-site.state";
    unsigned jobs = 1;
    for (size_t i = 0; i < args.size(); ++i) {
        if (options.take(args, i)) continue;
        bool has_value = i + 1 < args.size();
        if (args[i] == "-j" && has_value) jobs = static_cast<unsigned>(std::max(1, std::atoi(args[++i].c_str())));
        else if (args[i] == "--users" && has_value) users_file = args[++i];
        else if (args[i] == "--walk" && has_value) walk_dir = args[++i];
        else if (args[i] == "--state" && has_value) state_path = args[++i];
        else options.to.clear(), i = args.size();
    }
    if (options.to.empty() || users_file.empty() == walk_dir.empty()) {
        std::fprintf(stderr,
                     "usage: mailtool migrate-site [-c FILE] [-j N] [--state FILE] [-n] (--users FILE | --walk DIR) "
                     "[--from LOCATION] --to LOCATION\n");
        return kExitUsage;
    }
    Config config = Config::load_for(options.config_path);
    std::vector<SiteUser> users = users_file.empty() ? walk_users(walk_dir) : read_user_list(users_file);
    const std::set<std::string> done = options.dry_run ? std::set<std::string>{} : read_state(state_path);
    const bool progress = ::isatty(2);
    timespec start;
    ::clock_gettime(CLOCK_MONOTONIC, &start);

    Totals t;
    t.users = users.size();
    std::map<pid_t, std::pair<SiteUser, std::FILE*>> running;
    size_t next = 0, finished = 0;
    auto show = [&] {
        if (progress)
            std::fprintf(stderr, "\r%zu/%zu users, %zu running, %zu messages ", finished, t.users, running.size(),
                         t.messages);
    };
    while (next < users.size() || !running.empty()) {
        while (next < users.size() && running.size() < jobs) {
            const SiteUser& u = users[next++];
            if (done.count(u.name)) {
                ++t.skipped;
                ++finished;
                continue;
            }
            std::FILE* out = std::tmpfile();
            if (!out) throw MailError(ErrorKind::Io, "cannot create a temporary file");
            std::fflush(stdout);
            pid_t pid = ::fork();
            if (pid < 0) throw MailError(ErrorKind::Io, std::string("cannot fork: ") + std::strerror(errno));
            if (pid == 0) child(config, options, u, out);
            running.emplace(pid, std::make_pair(u, out));
        }
        show();
        if (running.empty()) continue;
        int status = 0;
        pid_t pid = ::waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR) continue;
            break;
        }
        auto it = running.find(pid);
        if (it == running.end()) continue;
        auto [u, out] = it->second;
        running.erase(it);
        ++finished;
        take_report(out, t);
        std::fclose(out);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            ++t.migrated;
            if (!options.dry_run) append_state(state_path, u.name);
        } else {
            ++t.failed;
            if (!WIFEXITED(status)) t.problems.push_back(u.name + ": the migration was killed by a signal");
        }
        show();
    }
    if (progress) std::fprintf(stderr, "\n");
    timespec end;
    ::clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = static_cast<double>(end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
    std::printf("summary: %zu users (%zu migrated, %zu already done, %zu failed), %zu folders, %zu messages "
                "(%zu copied now, %llu bytes), %zu problems, %.1f s, %.0f messages/s%s\n",
                t.users, t.migrated, t.skipped, t.failed, t.folders, t.messages, t.appended, t.bytes,
                t.problems.size(), seconds, seconds > 0 ? static_cast<double>(t.appended) / seconds : 0.0,
                options.dry_run ? " (dry run: nothing changed)" : "");
    for (const auto& p : t.problems) std::printf("problem: %s\n", p.c_str());
    return t.failed == 0 && t.problems.empty() ? 0 : 1;
}

}  // namespace mail::tool
