#include "tools/mailtool/check_io.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "cache/cache_format.hpp"
#include "drivers/unix/index_file.hpp"
#include "index/index_path.hpp"
#include "lock/dot_lock.hpp"
#include "lock/uw_lock.hpp"
#include "modseq/modseq_log.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"

namespace mail::tool {

namespace {

constexpr uint64_t kMaxDerivedRead = 256u << 20;  // bigger derived files are not read whole
constexpr int kUidlistLockStaleSeconds = 120;     // Dovecot's uidlist lock stale timeout

UniqueFd open_read(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw MailError(ErrorKind::Io, "cannot open " + path + ": " + std::strerror(errno));
    return fd;
}

uint64_t file_size(int fd, const std::string& path) {
    struct stat st;
    if (::fstat(fd, &st) < 0) throw MailError(ErrorKind::Io, "cannot stat " + path + ": " + std::strerror(errno));
    return static_cast<uint64_t>(st.st_size);
}

size_t pread_full(int fd, char* buf, size_t n, uint64_t off) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = ::pread(fd, buf + got, n - got, static_cast<off_t>(off + got));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) throw MailError(ErrorKind::Io, std::string("read error: ") + std::strerror(errno));
        if (r == 0) break;
        got += static_cast<size_t>(r);
    }
    return got;
}

std::optional<std::string> read_small(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return std::nullopt;
    uint64_t size = file_size(fd.get(), path);
    if (size > kMaxDerivedRead) return std::nullopt;
    std::string s(size, '\0');
    s.resize(pread_full(fd.get(), s.data(), s.size(), 0));
    return s;
}

MaildirListing list_maildir(const std::string& path) {
    MaildirListing l;
    l.now = ::time(nullptr);
    for (const char* dir : {"cur", "new", "tmp"}) {
        std::string d = path + "/" + dir;
        DIR* dp = ::opendir(d.c_str());
        if (!dp) {
            if (errno != ENOENT) throw MailError(ErrorKind::Io, "cannot read " + d + ": " + std::strerror(errno));
            (dir[0] == 'c' ? l.has_cur : dir[0] == 'n' ? l.has_new : l.has_tmp) = false;
            continue;
        }
        while (struct dirent* e = ::readdir(dp)) {
            if (e->d_name[0] == '.') continue;
            struct stat st;
            if (::fstatat(::dirfd(dp), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode)) continue;
            if (dir[0] == 't') l.tmp_files.emplace_back(e->d_name, st.st_mtime);
            else l.files.push_back({dir, e->d_name, static_cast<uint64_t>(st.st_size)});
        }
        ::closedir(dp);
    }
    std::sort(l.files.begin(), l.files.end(), [](const MaildirFile& a, const MaildirFile& b) { return a.name < b.name; });
    l.uidlist = read_small(path + "/dovecot-uidlist");
    return l;
}

void check_dot_lock(const std::string& lock, MailboxCheck& c) {
    struct stat st;
    if (::lstat(lock.c_str(), &st) < 0) return;
    if (MailDotLock::is_stale(lock, DotLockTimeouts{}, ::time(nullptr))) {
        c.findings.problem(lock, "a stale dot lock (its owner is gone or it is over 5 minutes old)");
        c.stale_locks.push_back({lock, "stale dot lock"});
    } else {
        c.findings.good(lock, "locked by a live process");
    }
}

void check_uidlist_lock(const std::string& lock, MailboxCheck& c) {
    struct stat st;
    if (::lstat(lock.c_str(), &st) < 0) return;
    if (::time(nullptr) - st.st_mtime > kUidlistLockStaleSeconds) {
        c.findings.problem(lock, "a stale dovecot-uidlist lock (unchanged for over 2 minutes)");
        c.stale_locks.push_back({lock, "stale dovecot-uidlist lock"});
    } else {
        c.findings.good(lock, "locked by a live process");
    }
}

void derived(MailboxCheck& c, const std::string& path, const char* why) {
    c.findings.info(path, std::string(why) + "; it is rebuilt at the next open");
    c.damaged_files.push_back({path, why});
}

void check_derived_files(MailboxCheck& c, const std::string& index_dir, Uid uidvalidity) {
    const std::string& mbox = c.spec.path;
    if (c.spec.format == "unix") {
        std::string p = index_file_path(mbox, index_dir, "index");
        if (auto bytes = read_small(p); bytes && !unixmbox::parse_index(*bytes)) derived(c, p, "a damaged index file");
    }
    std::string cache = index_file_path(mbox, index_dir, "cache");
    if (auto bytes = read_small(cache)) {
        if (uidvalidity && !cache_header_matches(*bytes, uidvalidity)) {
            derived(c, cache, "a damaged cache file, or one for another UIDVALIDITY");
        } else if (bytes->size() >= kCacheHeaderSize &&
                   scan_cache_records(std::string_view(*bytes).substr(kCacheHeaderSize), kCacheHeaderSize).damaged) {
            derived(c, cache, "a damaged cache record");
        }
    }
    std::string modseq = index_file_path(mbox, index_dir, "modseq");
    if (auto bytes = read_small(modseq)) {
        ModseqState state;
        LogReadResult r = apply_modseq_log(state, *bytes, true);
        if (r.damaged || !r.has_header) derived(c, modseq, "a damaged modseq file");
    }
}

}  // namespace

std::optional<std::string> stale_uw_lock(int mailbox_fd) {
    std::string path = UwParseLock::path_for(mailbox_fd);
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) return std::nullopt;
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) < 0) return std::nullopt;  // held: someone is parsing
    ::flock(fd.get(), LOCK_UN);
    return path;
}

MailboxCheck check_mailbox(const MailboxSpec& spec, const std::string& index_dir) {
    MailboxCheck c;
    c.spec = spec;
    Uid uidvalidity = 0;
    if (spec.format == "mbx" || spec.format == "unix") {
        UniqueFd fd = open_read(spec.path);
        uint64_t size = file_size(fd.get(), spec.path);
        if (spec.format == "mbx") {
            ReadAt read = [&](uint64_t off, char* buf, size_t n) { return pread_full(fd.get(), buf, n, off); };
            c.mbx = analyze_mbx(read, size);
            c.findings.append(c.mbx->findings);
            uidvalidity = c.mbx->plan.header.uidvalidity;
        } else {
            unixmbox::MboxScanner scanner;
            unixmbox::scan_file(fd.get(), 0, size, scanner);
            scanner.finish(size);
            char last = '\n';
            if (size) pread_full(fd.get(), &last, 1, size - 1);
            c.unix_mbox = analyze_unix(scanner.messages(), scanner.bad(), size, last == '\n');
            c.findings.append(c.unix_mbox->findings);
            if (!scanner.messages().empty() && scanner.messages().front().base)
                uidvalidity = scanner.messages().front().base->uidvalidity;
            check_dot_lock(MailDotLock::lock_path_for(spec.path), c);
        }
        if (auto uw = stale_uw_lock(fd.get())) {
            c.findings.problem(*uw, "a stale UW lock file (no process holds it)");
            c.stale_locks.push_back({*uw, "stale UW lock"});
        }
    } else if (spec.format == "maildir") {
        if (::access(spec.path.c_str(), R_OK | X_OK) != 0)
            throw MailError(ErrorKind::Io, "cannot read " + spec.path + ": " + std::strerror(errno));
        c.maildir = analyze_maildir(list_maildir(spec.path));
        c.findings.append(c.maildir->findings);
        uidvalidity = c.maildir->plan.list.uidvalidity;
        check_uidlist_lock(spec.path + "/dovecot-uidlist.lock", c);
    } else {
        throw MailError(ErrorKind::Invalid, "no mailbox at " + spec.path);
    }
    check_derived_files(c, index_dir, uidvalidity);
    return c;
}

}  // namespace mail::tool
