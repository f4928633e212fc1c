#include "tools/mailtool/migrate_user.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "mailbox/name.hpp"
#include "tools/mailtool/folder_copy.hpp"
#include "tools/mailtool/mailbox_spec.hpp"
#include "util/error.hpp"

namespace mail::tool {

namespace {
[[noreturn]] void os_error(const std::string& what, int err) {
    throw MailError(ErrorKind::Io, what + ": " + std::strerror(err));
}
}  // namespace

namespace {

// The journal: "started NAME" and "done NAME" lines, appended and synced.
class Journal {
public:
    explicit Journal(std::string path) : path_(std::move(path)) {
        std::ifstream in(path_);
        for (std::string line; std::getline(in, line);) {
            if (line.rfind("started ", 0) == 0) started_.insert(line.substr(8));
            if (line.rfind("done ", 0) == 0) done_.insert(line.substr(5));
        }
    }
    bool started(const std::string& name) const { return started_.count(name) > 0; }
    void mark(const char* what, const std::string& name) {
        std::string line = std::string(what) + " " + name + "\n";
        int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (fd < 0) os_error("cannot write the journal " + path_, errno);
        bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
        ::close(fd);
        if (!ok) throw MailError(ErrorKind::Io, "cannot write the journal " + path_);
        (std::string_view(what) == "done" ? done_ : started_).insert(name);
    }

private:
    std::string path_;
    std::set<std::string> started_, done_;
};

std::string journal_path(const StoreLocation& to) {
    std::string root = to.root;
    while (root.size() > 1 && root.back() == '/') root.pop_back();
    return root + ".mailtool-migrate";
}

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The source folders to copy: INBOX first, then the others sorted.
std::vector<std::string> source_folders(const Store& from) {
    std::vector<std::string> names;
    bool inbox = from.resolve("INBOX").driver != nullptr;
    for (const ListEntry& e : from.list("", "*")) {
        if (e.attributes & kNoselect) continue;
        if (canonical_mailbox_name(e.name) == "INBOX") continue;
        names.push_back(e.name);
    }
    std::sort(names.begin(), names.end());
    if (inbox) names.insert(names.begin(), "INBOX");
    return names;
}

const char* outcome_word(const FolderResult& r) {
    switch (r.outcome) {
    case FolderResult::Copied: return "copied";
    case FolderResult::Continued: return "continued";
    case FolderResult::AlreadyComplete: return "already complete";
    case FolderResult::Failed: break;
    }
    return "FAILED";
}

}  // namespace

std::vector<std::string> uw_mailboxlist_names(std::string_view text, const std::string& home,
                                              const std::string& root) {
    std::string rel;  // root relative to home, with a trailing '/'
    if (root.size() > home.size() && root.compare(0, home.size(), home) == 0 && root[home.size()] == '/')
        rel = root.substr(home.size() + 1) + "/";
    std::vector<std::string> out;
    std::istringstream in{std::string(text)};
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        if (!rel.empty() && line.compare(0, rel.size(), rel) == 0) line = line.substr(rel.size());
        else if (line.compare(0, root.size() + 1, root + "/") == 0) line = line.substr(root.size() + 1);
        if (line.empty() || line[0] == '/' || line[0] == '~' || line[0] == '#') continue;  // outside the store
        out.push_back(line);
    }
    return out;
}

UserReport migrate_user(const MigrationRequest& req, std::FILE* out) {
    UserReport report;
    Store from(req.from), to(req.to);
    Driver& to_driver = driver_named(req.to.format);
    Journal journal(journal_path(req.to));
    const std::string who = req.user.empty() ? "" : req.user + ": ";

    // The spool's messages follow the INBOX's (new UIDs: the spool has none of its own).
    std::unique_ptr<Mailbox> spool;
    if (!req.spool.empty() && req.spool != from.resolve("INBOX").path) {
        if (Driver* d = driver_for_path(req.spool)) {
            spool = d->open(req.spool, OpenMode::ReadOnly);
            if (spool->count() == 0) spool.reset();
        }
    }
    std::vector<std::string> folders = source_folders(from);
    if (spool && (folders.empty() || folders.front() != "INBOX")) folders.insert(folders.begin(), "INBOX");

    for (const std::string& name : folders) {
        try {
            Store::Resolved src = from.resolve(name);
            std::unique_ptr<Mailbox> box;
            std::vector<CopySource> sources;
            UidBase base;
            if (src.driver) {
                box = src.driver->open(src.path, OpenMode::ReadOnly);
                sources = all_messages(*box, true);
                base = uid_base_of(*box);
            }
            if (name == "INBOX" && spool) {
                auto extra = all_messages(*spool, false);
                sources.insert(sources.end(), extra.begin(), extra.end());
            }
            FolderTarget target{&to_driver, to.resolve(name).path};
            const std::string line = who + name + " (" + (src.driver ? std::string(src.driver->name()) : "spool") +
                                     ":" + src.path + " -> " + req.to.format + ":" + target.path + ")";
            if (req.dry_run) {
                std::vector<MessageDigest> want;
                std::vector<bool> keep;
                for (const CopySource& s : sources) {
                    want.push_back(digest_message(*s.box, s.index));
                    keep.push_back(s.keep_uid);
                }
                bool exists = false;
                std::string why;
                TargetState st = inspect_target(target, want, keep, &exists, &why);
                const char* plan = !exists                          ? "would copy"
                                   : st == TargetState::Complete    ? "would skip (already complete)"
                                   : st == TargetState::Prefix && journal.started(name) ? "would continue"
                                   : journal.started(name)          ? "would copy again"
                                                                    : "would leave alone (target exists with other mail)";
                std::fprintf(out, "%s: %s, %zu messages\n", line.c_str(), plan, sources.size());
                ++report.folders;
                report.messages += sources.size();
                continue;
            }
            bool ours = journal.started(name);
            if (!ours && !to_driver.recognizes(target.path)) {
                journal.mark("started", name);
                ours = true;
            }
            // Never remove a target INBOX: in maildir it holds the other folders.
            FolderResult r = copy_folder(sources, base, target, ours, ours && name != "INBOX");
            ++report.folders;
            if (r.outcome == FolderResult::AlreadyComplete) ++report.folders_skipped;
            report.messages += r.messages;
            report.appended += r.appended;
            report.bytes += r.bytes;
            std::fprintf(out, "%s: %s, %zu messages verified%s\n", line.c_str(), outcome_word(r), r.messages,
                         r.outcome == FolderResult::Failed ? "" : r.uidvalidity_kept || !src.driver ? "" : ", UIDVALIDITY not kept");
            if (r.outcome == FolderResult::Failed) report.problems.push_back(who + name + ": " + r.problem);
            else journal.mark("done", name);
        } catch (const std::exception& e) {
            report.problems.push_back(who + name + ": " + e.what());
            std::fprintf(out, "%s%s: FAILED: %s\n", who.c_str(), name.c_str(), e.what());
        }
    }

    // Subscriptions: the source store's and UW's ~/.mailboxlist, for folders the target has.
    std::vector<std::string> subs = from.subscriptions();
    if (!req.home.empty()) {
        auto uw = uw_mailboxlist_names(read_text(req.home + "/.mailboxlist"), req.home, req.from.root);
        subs.insert(subs.end(), uw.begin(), uw.end());
    }
    std::sort(subs.begin(), subs.end());
    subs.erase(std::unique(subs.begin(), subs.end()), subs.end());
    for (const std::string& name : subs) {
        if (req.dry_run) {
            std::fprintf(out, "%ssubscription %s: would subscribe\n", who.c_str(), name.c_str());
            ++report.subscriptions;
            continue;
        }
        try {
            to.subscribe(name);
            ++report.subscriptions;
        } catch (const std::exception& e) {
            report.problems.push_back(who + "subscription " + name + ": " + e.what());
        }
    }
    std::fprintf(out, "%s%s%zu folders (%zu already complete), %zu messages, %zu appended (%llu bytes), %zu subscriptions, %zu problems\n",
                 who.c_str(), req.dry_run ? "dry run: " : "", report.folders, report.folders_skipped, report.messages,
                 report.appended, static_cast<unsigned long long>(report.bytes), report.subscriptions,
                 report.problems.size());
    return report;
}

}  // namespace mail::tool
