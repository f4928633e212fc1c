#include "mailbox/store.hpp"

#include "mailbox/copy.hpp"
#include "mailbox/spool.hpp"
#include "index/index_path.hpp"
#include "lock/lock_timeout.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>

#include "util/error.hpp"

namespace mail {

namespace {

bool exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

// No driver recognised the path: a mailbox the user may not read is
// "[NOPERM]" (RFC 5530), not a missing one.
[[noreturn]] void throw_not_found(const std::string& path) {
    if (exists(path) && ::access(path.c_str(), R_OK) < 0 && errno == EACCES)
        throw MailError(ErrorKind::Permission, "permission denied");
    throw MailError(ErrorKind::NotFound, "mailbox does not exist");
}

bool is_dir(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::vector<std::string> dir_entries(const std::string& path) {
    std::vector<std::string> out;
    DIR* d = ::opendir(path.c_str());
    if (!d) return out;
    while (struct dirent* e = ::readdir(d)) out.emplace_back(e->d_name);
    ::closedir(d);
    return out;
}

std::optional<std::string> read_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return std::nullopt;
        throw MailError(ErrorKind::Io, std::string("cannot read the subscriptions: ") + std::strerror(errno));
    }
    std::string out;
    char buf[8192];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    ::close(fd);
    return out;
}

bool is_inbox(std::string_view name) { return name == "INBOX"; }

std::string parent_name(const std::string& name) {
    size_t slash = name.rfind(kHierarchySeparator);
    return slash == std::string::npos ? std::string() : name.substr(0, slash);
}

[[noreturn]] void throw_no_inferiors() {
    throw MailError(ErrorKind::Invalid, "mailbox doesn't allow inferior mailboxes (it is a mailbox file)");
}

// DELETE of a directory level of a file store: only when it holds no
// mailbox. Index directories do not count and go with it: the library's own
// ".imapd" (index_path.hpp) and Dovecot's mbox ".imap" (after a move from
// Dovecot), which hold only index files of mailboxes once in it.
void remove_level(const std::string& path) {
    if (::rmdir(path.c_str()) == 0) return;
    if (errno != ENOTEMPTY && errno != EEXIST) {
        if (errno == EACCES || errno == EPERM) throw MailError(ErrorKind::Permission, "permission denied");
        throw MailError(ErrorKind::Io, std::string("cannot delete the directory: ") + std::strerror(errno));
    }
    std::vector<std::string> left;
    for (std::string& e : dir_entries(path))
        if (e != "." && e != "..") left.push_back(std::move(e));
    bool only_indexes = std::all_of(left.begin(), left.end(),
                                    [](const std::string& e) { return e == ".imapd" || e == ".imap"; });
    if (only_indexes) {
        std::error_code ec;
        for (const std::string& e : left) std::filesystem::remove_all(path + "/" + e, ec);
        if (::rmdir(path.c_str()) == 0) return;
    }
    throw MailError(ErrorKind::Invalid, "[HASCHILDREN] mailbox has children, delete them first");
}

}  // namespace

std::vector<std::string> attribute_names(uint32_t a) {
    std::vector<std::string> out;
    if (a & kNoselect) out.emplace_back("\\Noselect");
    if (a & kNoInferiors) out.emplace_back("\\NoInferiors");
    if (a & kHasChildren) out.emplace_back("\\HasChildren");
    if (a & kHasNoChildren) out.emplace_back("\\HasNoChildren");
    if (a & kMarked) out.emplace_back("\\Marked");
    if (a & kUnmarked) out.emplace_back("\\Unmarked");
    return out;
}

Store::Store(StoreLocation location) : location_(std::move(location)) {
    if (location_.format.empty()) location_.format = "maildir";
    while (location_.root.size() > 1 && location_.root.back() == '/') location_.root.pop_back();
}

std::string Store::inbox_path() const { return location_.inbox.empty() ? location_.root : location_.inbox; }

std::string Store::folder_path(const std::string& name) const {
    if (is_inbox(name)) return inbox_path();
    if (maildir_layout()) {
        std::string dotted = name;
        std::replace(dotted.begin(), dotted.end(), kHierarchySeparator, '.');
        return location_.root + "/." + dotted;
    }
    return location_.root + "/" + name;
}

Store::Resolved Store::resolve(std::string_view raw) const {
    validate_mailbox_name(raw);
    std::string name = canonical_mailbox_name(raw);
    if (maildir_layout() && !is_inbox(name) && name.find('.') != std::string::npos)
        throw MailError(ErrorKind::Invalid, "invalid mailbox name: '.' is not allowed in maildir folder names");
    Resolved r;
    r.path = folder_path(name);
    if (!is_inbox(name)) check_inside_root(r.path);
    r.driver = driver_for_path(r.path);
    return r;
}

// A folder's path, symlinks followed, must stay under the folder root: a
// symlink that the user (or anyone) put in the mail area must not lead a
// session to files outside it (another user's world-readable mail, /etc).
// The deepest part of the path that exists is what is checked, so that a
// CREATE under a symlinked directory is refused too.
void Store::check_inside_root(const std::string& path) const {
    char root_buf[PATH_MAX];
    if (!::realpath(location_.root.c_str(), root_buf)) return;  // no folders yet: nothing to escape through
    std::string existing = path;
    struct stat st;
    while (::lstat(existing.c_str(), &st) != 0) {
        size_t slash = existing.rfind('/');
        if (slash == std::string::npos || slash == 0) return;
        existing.resize(slash);
    }
    char real_buf[PATH_MAX];
    if (!::realpath(existing.c_str(), real_buf)) {
        if (S_ISLNK(st.st_mode)) throw MailError(ErrorKind::Permission, "mailbox is a symlink that leads nowhere");
        return;
    }
    std::string_view root(root_buf), real(real_buf);
    if (real == root || (real.size() > root.size() && real.substr(0, root.size()) == root &&
                         (root == "/" || real[root.size()] == '/')))
        return;
    throw MailError(ErrorKind::Permission, "mailbox is outside the mail area (a symlink leads out of it)");
}

std::unique_ptr<Mailbox> Store::open(std::string_view name, OpenMode mode) const {
    Resolved r = resolve(name);
    if (!r.driver && is_inbox(canonical_mailbox_name(name))) {
        // INBOX always exists: create it on first use.
        Driver* d = driver_by_name(location_.format);
        if (!d) throw MailError(ErrorKind::Invalid, "unknown mailbox format " + location_.format);
        create_mailbox(*d, r.path);
        r.driver = d;
    }
    if (!r.driver) {
        if (!maildir_layout() && is_dir(r.path))
            throw MailError(ErrorKind::Invalid, "mailbox isn't selectable (it is a directory of mailboxes)");
        throw_not_found(r.path);
    }
    // index_dir: the unix driver's index and journal go there too.
    auto box = r.driver->open_with_index_dir(r.path, mode, location_.index_dir);
    if (mode != OpenMode::ReadOnly && snarf_spool_into(name, *box, lock_timeout_seconds()) > 0)
        box = r.driver->open_with_index_dir(r.path, mode, location_.index_dir);
    return box;
}

size_t Store::snarf_spool_into(std::string_view name, Mailbox& box, int lock_wait_seconds) const {
    if (spool_.empty() || box.read_only() || !is_inbox(canonical_mailbox_name(name))) return 0;
    if (spool_ == inbox_path()) return 0;
    try {
        return snarf_spool(spool_, box, lock_wait_seconds);
    } catch (const MailError&) {
        return 0;  // the mail stays in the spool (locked, unreadable): moved next time
    }
}

void Store::create(std::string_view raw) {
    Resolved r = resolve(raw);
    std::string name = canonical_mailbox_name(raw);
    if (r.driver || ((is_inbox(name) || !maildir_layout()) && exists(r.path)))
        throw MailError(ErrorKind::Exists, "mailbox already exists");
    Driver* d = driver_by_name(location_.format);
    if (!d) throw MailError(ErrorKind::Invalid, "unknown mailbox format " + location_.format);
    if (!maildir_layout()) {
        // Intermediate levels are directories (Maildir++ needs none: its
        // levels are in the folder's own name).
        make_levels(parent_name(name));
        // "a/": the client means to create mailboxes under it (RFC 3501
        // 6.3.3): a directory, \Noselect, as Dovecot's mbox and UW make it.
        if (!is_inbox(name) && raw.size() > name.size()) {
            if (::mkdir(r.path.c_str(), 0700) < 0) {
                if (errno == EEXIST) throw MailError(ErrorKind::Exists, "mailbox already exists");
                throw MailError(ErrorKind::Io, std::string("cannot create mailbox: ") + std::strerror(errno));
            }
            return;
        }
    } else if (!is_inbox(name) && !d->recognizes(location_.root)) {
        // A Maildir++ root is itself a maildir (INBOX, or an empty one when
        // INBOX lives elsewhere): subfolders are recognised by it.
        if (::mkdir(location_.root.c_str(), 0700) < 0 && errno != EEXIST)
            throw MailError(ErrorKind::Io, std::string("cannot create mailbox: ") + std::strerror(errno));
        d->create(location_.root);
    }
    create_mailbox(*d, r.path);
}

void Store::remove(std::string_view raw) {
    Resolved r = resolve(raw);
    if (is_inbox(canonical_mailbox_name(raw))) throw MailError(ErrorKind::Invalid, "INBOX cannot be deleted");
    if (!r.driver) {
        if (is_dir(r.path) && !maildir_layout()) {  // a \Noselect level
            remove_level(r.path);
            return;
        }
        throw_not_found(r.path);
    }
    r.driver->remove(r.path);
    remove_index_files(r.path, location_.index_dir);  // the modseq and cache files go with it
}

void Store::move_messages(Mailbox& from, Mailbox& to) const {
    for (size_t i = 0; i < from.count(); ++i) {
        auto sink = to.append(copy_request(from, i));
        copy_content(from, i, *sink);
        sink->commit();
    }
    std::vector<Uid> uids;
    for (size_t i = 0; i < from.count(); ++i) {
        from.change_flags(i, FlagChange::add(kDeleted));
        uids.push_back(from.at(i).uid);
    }
    NullEventSink sink;
    from.expunge(sink, &uids);
}

void Store::rename(std::string_view raw_from, std::string_view raw_to) {
    Resolved from = resolve(raw_from), to = resolve(raw_to);
    std::string from_name = canonical_mailbox_name(raw_from), to_name = canonical_mailbox_name(raw_to);
    if (is_inbox(to_name)) throw MailError(ErrorKind::Exists, "INBOX already exists");
    if (to.driver || exists(to.path)) throw MailError(ErrorKind::Exists, "target mailbox already exists");
    if (to_name.rfind(from_name + "/", 0) == 0)
        throw MailError(ErrorKind::Invalid, "a mailbox cannot be moved under itself");
    if (is_inbox(from_name)) {
        auto inbox = open("INBOX", OpenMode::ReadWrite);
        create(to_name);
        auto target = open(to_name, OpenMode::ReadWrite);
        move_messages(*inbox, *target);
        return;
    }
    if (!maildir_layout()) {
        if (!from.driver && !is_dir(from.path)) throw MailError(ErrorKind::NotFound, "mailbox does not exist");
        make_levels(parent_name(to_name));
        if (::rename(from.path.c_str(), to.path.c_str()) < 0)
            throw MailError(ErrorKind::Io, std::string("cannot rename mailbox: ") + std::strerror(errno));
        if (from.driver) rename_index_files(from.path, to.path, location_.index_dir);
        else if (!location_.index_dir.empty()) rename_tree_index_files(from.path, to.path);
        return;
    }
    // Maildir++: the folder and every folder below it ("a" and "a/x").
    bool found = false;
    for (const ListEntry& e : all_mailboxes()) {
        if (e.attributes & kNoselect) continue;
        if (e.name != from_name && e.name.rfind(from_name + "/", 0) != 0) continue;
        std::string new_name = to_name + e.name.substr(from_name.size());
        Resolved src = resolve(e.name), dst = resolve(new_name);
        if (dst.driver || exists(dst.path)) throw MailError(ErrorKind::Exists, "target mailbox already exists");
        src.driver->rename(src.path, dst.path);
        found = true;
    }
    if (!found) throw MailError(ErrorKind::NotFound, "mailbox does not exist");
}

// A directory moved: the index files of the mailboxes under it follow
// them. Needed with index_dir only (they are named after the mailbox's
// path there; otherwise they are in .imapd inside the directory); walks the
// new tree, as the old one is gone.
void Store::rename_tree_index_files(const std::string& from, const std::string& to) const {
    for (const std::string& e : dir_entries(to)) {
        if (e.empty() || e[0] == '.') continue;
        if (is_dir(to + "/" + e)) rename_tree_index_files(from + "/" + e, to + "/" + e);
        else rename_index_files(from + "/" + e, to + "/" + e, location_.index_dir);
    }
}

void Store::create_mailbox(Driver& d, const std::string& path) const {
    if (maildir_layout()) {
        d.create(path);  // the maildir driver keeps Dovecot's dovecot-uidvalidity itself
        return;
    }
    UidBase base;
    base.uidvalidity = next_uidvalidity();
    d.create(path, base);
}

// A mailbox file's UIDVALIDITY is the time, as UW's; but a mailbox deleted
// and created again within a second must not get its old value back (RFC
// 3501 2.3.1.1), so the last value given out is kept, in hex as Dovecot's
// dovecot-uidvalidity, and the next is at least one more.
Uid Store::next_uidvalidity() const {
    Uid value = static_cast<Uid>(::time(nullptr));
    std::string dir = location_.index_dir.empty() ? location_.root + "/.imapd" : location_.index_dir;
    if (::mkdir(dir.c_str(), 0700) < 0 && errno != EEXIST) return value;
    int fd = ::open((dir + "/.uidvalidity").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return value;  // an unwritable root still gets the time
    if (::flock(fd, LOCK_EX) == 0) {
        char buf[16] = {};
        ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
        Uid last = n > 0 ? static_cast<Uid>(std::strtoul(buf, nullptr, 16)) : 0;
        if (last >= value && last != UINT32_MAX) value = last + 1;
        int len = std::snprintf(buf, sizeof buf, "%08x", value);
        if (::pwrite(fd, buf, static_cast<size_t>(len), 0) == len) (void)::ftruncate(fd, len);
    }
    ::close(fd);
    return value;
}

void Store::make_levels(const std::string& levels) const {
    std::string path = location_.root;
    // The mail root itself may not exist yet (a unix ~/mail before the first CREATE).
    if (::mkdir(path.c_str(), 0700) < 0 && errno != EEXIST)
        throw MailError(ErrorKind::Io, std::string("cannot create mailbox: ") + std::strerror(errno));
    size_t pos = 0;
    while (pos < levels.size()) {
        size_t end = std::min(levels.find(kHierarchySeparator, pos), levels.size());
        path += "/" + levels.substr(pos, end - pos);
        if (::mkdir(path.c_str(), 0700) < 0) {
            // A mailbox file where a level should be: it cannot have
            // children (\NoInferiors), Dovecot's mbox answers NO [CANNOT].
            if (errno == EEXIST && !is_dir(path)) throw_no_inferiors();
            if (errno != EEXIST)
                throw MailError(ErrorKind::Io, std::string("cannot create mailbox: ") + std::strerror(errno));
        }
        pos = end + 1;
    }
}

std::vector<ListEntry> Store::all_mailboxes() const {
    std::map<std::string, uint32_t> names;  // name -> attributes
    auto add = [&](const std::string& name, bool selectable, uint32_t more = 0) {
        try {
            validate_mailbox_name(name);
        } catch (const MailError&) {
            return;  // not a name a client could use (the library's own files, trash)
        }
        auto [it, inserted] = names.try_emplace(name, selectable ? 0u : uint32_t{kNoselect});
        if (selectable) it->second &= ~uint32_t{kNoselect};
        it->second |= more;
        // Levels above it exist at least as \Noselect.
        for (std::string p = parent_name(name); !p.empty(); p = parent_name(p))
            if (!names.count(p)) names[p] = kNoselect;
    };
    if (maildir_layout()) {
        for (const std::string& e : dir_entries(location_.root)) {
            if (e.size() < 2 || e[0] != '.' || e[1] == '.') continue;
            std::string path = location_.root + "/" + e;
            if (!driver_for_path(path)) continue;
            std::string name = e.substr(1);
            std::replace(name.begin(), name.end(), '.', kHierarchySeparator);
            if (canonical_mailbox_name(name).rfind("INBOX", 0) == 0 && name.size() == 5) continue;
            add(name, true);
        }
    } else {
        // A directory walk: files a driver recognises are mailboxes (a file
        // cannot have children: \NoInferiors), directories are hierarchy
        // levels; everything else stays hidden.
        std::vector<std::string> todo{""};
        while (!todo.empty()) {
            std::string rel = todo.back();
            todo.pop_back();
            for (const std::string& e : dir_entries(location_.root + (rel.empty() ? "" : "/" + rel))) {
                if (e.empty() || e[0] == '.') continue;
                std::string name = rel.empty() ? e : rel + "/" + e;
                std::string path = location_.root + "/" + name;
                if (path == inbox_path()) continue;
                bool dir = is_dir(path);
                if (driver_for_path(path)) add(name, true, dir ? 0u : uint32_t{kNoInferiors});
                else if (dir && name.size() < kMaxMailboxNameBytes) {
                    add(name, false);
                    todo.push_back(name);
                }
            }
        }
    }
    names["INBOX"] &= ~kNoselect;
    std::vector<ListEntry> out;
    for (const auto& [name, attrs] : names) out.push_back(ListEntry{name, attrs});
    for (ListEntry& e : out) {
        if (e.attributes & kNoInferiors) continue;
        auto next = std::upper_bound(out.begin(), out.end(), e.name,
                                     [](const std::string& n, const ListEntry& x) { return n < x.name; });
        bool children = next != out.end() && next->name.rfind(e.name + "/", 0) == 0;
        e.attributes |= children ? kHasChildren : kHasNoChildren;
    }
    return out;
}

std::vector<ListEntry> Store::list(std::string_view reference, std::string_view pattern) const {
    std::vector<ListEntry> out;
    if (pattern.empty()) return out;
    std::string full = std::string(reference) + std::string(pattern);
    for (ListEntry& e : all_mailboxes())
        if (list_match(full, e.name)) out.push_back(std::move(e));
    return out;
}

std::string Store::subscriptions_path() const {
    return location_.root + (maildir_layout() ? "/subscriptions" : "/.subscriptions");
}

std::vector<std::string> Store::subscriptions() const {
    auto text = read_file(subscriptions_path());
    // Maildir++ names levels with '.' on disk (".Lists.dev"); so do
    // Dovecot's subscriptions files there (version 1 always, version 2 for
    // a '.' inside a level): both mean "Lists/dev", as Dovecot shows them.
    char storage_separator = maildir_layout() ? '.' : kHierarchySeparator;
    return text ? parse_subscriptions(*text, storage_separator) : std::vector<std::string>{};
}

void Store::write_subscriptions(const std::vector<std::string>& names) const {
    std::string tmp = subscriptions_path() + ".tmp." + std::to_string(::getpid());
    std::string data = format_subscriptions(names);
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw MailError(ErrorKind::Io, std::string("cannot write the subscriptions: ") + std::strerror(errno));
    bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), subscriptions_path().c_str()) < 0) {
        ::unlink(tmp.c_str());
        throw MailError(ErrorKind::Io, "cannot write the subscriptions");
    }
}

void Store::subscribe(std::string_view raw) {
    resolve(raw);
    std::string name = canonical_mailbox_name(raw);
    auto names = subscriptions();
    if (std::find(names.begin(), names.end(), name) != names.end()) return;
    names.push_back(name);
    write_subscriptions(names);
}

void Store::unsubscribe(std::string_view raw) {
    validate_mailbox_name(raw);
    std::string name = canonical_mailbox_name(raw);
    auto names = subscriptions();
    auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) throw MailError(ErrorKind::NotFound, "not subscribed to that mailbox");
    names.erase(it);
    write_subscriptions(names);
}

std::vector<std::string> parse_subscriptions(std::string_view text, char storage_separator) {
    std::vector<std::string> out;
    bool v2 = text.rfind("V\t", 0) == 0;
    size_t pos = 0;
    if (v2) {  // skip the header up to and including its empty line
        size_t blank = text.find("\n\n");
        pos = blank == std::string_view::npos ? text.size() : blank + 2;
    }
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string name(text.substr(pos, end - pos));
        pos = end + 1;
        if (name.empty()) continue;
        if (v2) std::replace(name.begin(), name.end(), '\t', kHierarchySeparator);
        std::replace(name.begin(), name.end(), storage_separator, kHierarchySeparator);
        if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    }
    return out;
}

std::string format_subscriptions(const std::vector<std::string>& names) {
    std::string out = "V\t2\n\n";
    for (std::string n : names) {
        std::replace(n.begin(), n.end(), kHierarchySeparator, '\t');
        out += n + "\n";
    }
    return out;
}

}  // namespace mail
