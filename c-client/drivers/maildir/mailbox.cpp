// Opening a maildir, reading messages, the keyword table, IDLE notification.
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/random.h>
#include <time.h>

#include <dirent.h>

#include <cerrno>
#include <charconv>
#include <string_view>
#include <unordered_set>

#include "drivers/maildir/keywords.hpp"
#include "index/index_path.hpp"
#include "drivers/maildir/maildir_mailbox.hpp"
#include "util/error.hpp"

namespace mail::maildir {

namespace {

// Whether a delivery must list the maildir before it takes a UID: when the
// uidlist is empty but message files exist, or new/ holds a file the uidlist
// does not know (dropped there by an MTA or procmail). Those get their UIDs
// first, in arrival order, as Dovecot gives them; readdir only, no stat.
bool has_unlisted_files(const std::string& path, const std::vector<UidlistRecord>& records) {
    std::unordered_set<std::string_view> listed;
    for (const char* sub : {"new", "cur"}) {
        if (!records.empty() && std::string_view(sub) == "cur") break;
        DIR* d = ::opendir((path + "/" + sub).c_str());
        if (!d) continue;
        bool found = false;
        while (dirent* e = ::readdir(d)) {
            if (e->d_name[0] == '.') continue;
            if (records.empty()) { found = true; break; }
            if (listed.empty())
                for (const UidlistRecord& r : records) listed.insert(r.base);
            std::string_view name = e->d_name;
            if (!listed.contains(name.substr(0, name.find(':')))) { found = true; break; }
        }
        ::closedir(d);
        if (found) return true;
    }
    return false;
}

}  // namespace

MaildirMailbox::MaildirMailbox(std::string path, OpenMode mode, LockTimeouts timeouts, std::string_view index_dir)
    : path_(std::move(path)), read_only_(mode == OpenMode::ReadOnly), claims_recent_(mode == OpenMode::ReadWrite),
      timeouts_(timeouts) {
    // Beside dovecot-uidlist unless index_dir is set (index_path.hpp: MAILDIR/imapd-dates).
    dates_path_ = index_dir.empty() ? path_ + "/" + kDatesFileName : index_file_path(path_, index_dir, "dates");
    for (const char* sub : {"cur", "new"}) {
        auto st = stat_path(dir(sub));
        if (!st || !S_ISDIR(st->st_mode)) throw MailError(ErrorKind::NotFound, "mailbox does not exist");
    }
    if (!stat_path(dir("tmp"))) ::mkdir(dir("tmp").c_str(), 0700);
    reload_keywords();
    ensure_uidlist();
    // A mailbox opened to deliver needs only the uidlist: no scan of cur/ and
    // new/ (a stat per message), so that an APPEND or a dmail delivery into a
    // big maildir does not cost O(N). Its messages are listed at its first sync().
    if (mode == OpenMode::Deliver && !has_unlisted_files(path_, uidlist_.records)) return;
    NullEventSink sink;
    sync(sink, true);
}

std::string MaildirMailbox::file_path(size_t index) const {
    std::string p = path_ + (files_.in_new(index) ? "/new/" : "/cur/");
    p += files_.name(index);
    return p;
}

MessageContent MaildirMailbox::content(size_t index) {
    for (int attempt = 0; attempt < 2 && !files_.vanished(index); ++attempt) {
        int fd = ::open(file_path(index).c_str(), O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            auto owned = std::make_shared<const UniqueFd>(fd);
            struct stat st;
            if (::fstat(fd, &st) < 0) throw_errno("cannot stat message", errno);
            return MessageContent(owned, {FileRange{0, static_cast<uint64_t>(st.st_size)}});
        }
        if (errno != ENOENT) throw_errno("cannot open message", errno);
        if (!relocate(index)) break;
    }
    throw MailError(ErrorKind::NotFound, "the message has been removed by another program");
}

bool MaildirMailbox::reload_keywords() {
    FileStamp stamp = stamp_of(keywords_path());
    if (stamp == keywords_stamp_ && !keywords_.empty()) return false;
    keywords_stamp_ = stamp;
    auto text = read_whole_file(keywords_path());
    auto names = parse_keywords(text ? *text : std::string());
    // Names only ever get added at unused indexes; keep ours if the file lost some.
    if (names.size() < keywords_.size()) names.resize(keywords_.size());
    for (size_t i = 0; i < keywords_.size(); ++i)
        if (names[i].empty()) names[i] = keywords_[i];
    bool grew = names != keywords_;
    keywords_ = std::move(names);
    return grew;
}

std::optional<size_t> MaildirMailbox::keyword_bit(std::string_view name, bool create) {
    auto find = [&]() -> std::optional<size_t> {
        for (size_t i = 0; i < keywords_.size(); ++i)
            if (keywords_[i] == name) return i;
        return std::nullopt;
    };
    if (auto bit = find()) return bit;
    reload_keywords();
    if (auto bit = find()) return bit;
    if (!create || read_only_ || name.empty()) return std::nullopt;
    DotLock lock = DotLock::acquire(keywords_path(), timeouts_);
    keywords_stamp_ = {};
    reload_keywords();
    if (auto bit = find()) return bit;
    size_t slot = keywords_.size();
    for (size_t i = 0; i < keywords_.size(); ++i)
        if (keywords_[i].empty()) {
            slot = i;
            break;
        }
    if (slot >= kMaxMaildirKeywords) return std::nullopt;
    if (slot == keywords_.size()) keywords_.emplace_back();
    keywords_[slot] = std::string(name);
    lock.replace(format_keywords(keywords_), true);
    keywords_stamp_ = stamp_of(keywords_path());
    return slot;
}

uint32_t MaildirMailbox::letters_from_mask(KeywordMask mask) const {
    uint32_t letters = 0;
    for (size_t i = 0; i < kMaxMaildirKeywords && i < keywords_.size(); ++i)
        if ((mask & (KeywordMask{1} << i)) && !keywords_[i].empty()) letters |= 1u << i;
    return letters;
}

int MaildirMailbox::change_fd() {
    if (inotify_) return inotify_.get();
    UniqueFd fd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    if (!fd) return -1;
    const uint32_t mask = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE;
    for (const char* sub : {"new", "cur"})
        if (::inotify_add_watch(fd.get(), dir(sub).c_str(), mask) < 0) return -1;
    ::inotify_add_watch(fd.get(), path_.c_str(), IN_MOVED_TO | IN_CLOSE_WRITE);  // the uidlist
    inotify_ = std::move(fd);
    return inotify_.get();
}

std::string maildir_root(const std::string& path) {
    if (stat_path(path + "/maildirfolder")) {
        size_t slash = path.find_last_of('/');
        if (slash != std::string::npos && slash > 0) return path.substr(0, slash);
    }
    return path;
}

Uid next_uidvalidity(const std::string& root) {
    const std::string path = root + "/dovecot-uidvalidity";
    Uid value = static_cast<Uid>(::time(nullptr));
    try {
        DotLock lock = DotLock::acquire(path, LockTimeouts{10, 60});
        if (auto text = read_whole_file(path)) {
            uint32_t last = 0;
            auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), last, 16);
            if (ec == std::errc() && last != 0 && last != UINT32_MAX) value = last + 1;
        }
        char hex[16];
        auto [end, ec] = std::to_chars(hex, hex + sizeof hex, value, 16);
        (void)ec;
        lock.replace(std::string(hex, end), false);
    } catch (const MailError&) {
        // An unwritable root still gets a usable UIDVALIDITY: the time.
    }
    return value;
}

uint64_t compute_vsize(int fd) {
    uint64_t size = 0;
    char buf[65536];
    char last = 0;
    off_t off = 0;
    for (;;) {
        ssize_t n = ::pread(fd, buf, sizeof buf, off);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("cannot read message", errno);
        }
        if (n == 0) break;
        for (ssize_t i = 0; i < n; ++i) {
            if (buf[i] == '\n' && last != '\r') ++size;
            last = buf[i];
        }
        size += static_cast<uint64_t>(n);
        off += n;
    }
    return size;
}

std::string random_guid() {
    unsigned char bytes[16] = {};
    if (::getrandom(bytes, sizeof bytes, 0) != sizeof bytes) {
        struct timespec ts;
        ::clock_gettime(CLOCK_REALTIME, &ts);
        for (size_t i = 0; i < sizeof bytes; ++i) bytes[i] = static_cast<unsigned char>((ts.tv_nsec >> (i % 4 * 8)) ^ ::getpid() ^ i);
    }
    static const char digits[] = "0123456789abcdef";
    std::string s;
    for (unsigned char b : bytes) {
        s += digits[b >> 4];
        s += digits[b & 15];
    }
    return s;
}

void MaildirMailbox::ensure_uidlist() {
    if (reload_uidlist() || uidlist_.uidvalidity != 0) return;
    DotLock lock = DotLock::acquire(uidlist_path(), timeouts_);
    uidlist_stamp_ = {};
    if (reload_uidlist(&lock) && uidlist_.uidvalidity != 0) return;
    uidlist_ = Uidlist{};
    uidlist_.uidvalidity = next_uidvalidity(maildir_root(path_));
    uidlist_.guid = random_guid();
    write_uidlist_locked(lock);
    // A uidlist of ours comes with a claim of nothing, so that every message
    // it will list is recent once; a uidlist without one is another
    // server's (recent.cpp).
    write_recent_claim(0);
}

}  // namespace mail::maildir
