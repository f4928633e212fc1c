// Finding changes: a scan of new/ and cur/ (only when their mtimes changed),
// new mail moved from new/ to cur/ as Dovecot does, UIDs assigned under the
// uidlist lock, and the result merged into the index with events.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <unordered_map>
#include <unordered_set>

#include "drivers/maildir/filename.hpp"
#include "drivers/maildir/maildir_mailbox.hpp"
#include "index/index_path.hpp"
#include "util/error.hpp"

namespace mail::maildir {

namespace {

int64_t now_ns() {
    struct timespec now;
    ::clock_gettime(CLOCK_REALTIME, &now);
    return static_cast<int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec;
}

void read_dir(const std::string& dir, bool in_new, ScanResult& out) {
    DIR* d = ::opendir(dir.c_str());
    if (!d) throw_errno("cannot read mailbox directory", errno);
    while (struct dirent* e = ::readdir(d)) {
        std::string_view name = e->d_name;
        if (name.empty() || name[0] == '.') continue;
        std::string base(name.substr(0, name.find(':')));  // parse_file_name(name).base, without parsing the rest
        // If a file is in both (a rename in progress), cur/ wins.
        auto [it, inserted] = out.try_emplace(std::move(base), ScannedFile{std::string(name), in_new});
        if (!inserted && it->second.in_new && !in_new) it->second = ScannedFile{std::string(name), in_new};
    }
    ::closedir(d);
}

}  // namespace

ScanResult MaildirMailbox::scan() const {
    ScanResult out;
    read_dir(dir("new"), true, out);
    read_dir(dir("cur"), false, out);
    return out;
}

std::vector<std::string> MaildirMailbox::absent_from(const ScanResult& files) const {
    std::vector<std::string> out;
    for (size_t i = 0; i < files_.size(); ++i)
        if (!files.count(files_.base(i))) out.emplace_back(files_.base(i));
    const Uid last = messages_.empty() ? 0 : messages_.back().uid;
    for (const auto& rec : uidlist_.records)
        if (rec.uid > last && !files.count(rec.base)) out.push_back(rec.base);
    return out;
}

ScanResult MaildirMailbox::scan_confirmed() const {
    ScanResult files = scan();
    if (absent_from(files).empty()) return files;
    // readdir() may miss a file that another session renames (a STORE)
    // while it reads (POSIX leaves it unspecified), and a missed file would
    // look expunged: read again, and count a file seen in either read.
    ScanResult again = scan();
    for (auto& [base, f] : files) again.try_emplace(base, std::move(f));
    return again;
}

void MaildirMailbox::drop_orphans(const std::vector<std::string>& bases) {
    std::unordered_set<std::string_view> candidates(bases.begin(), bases.end());
    auto listed = [&] {
        return std::any_of(uidlist_.records.begin(), uidlist_.records.end(),
                           [&](const UidlistRecord& r) { return candidates.count(r.base) > 0; });
    };
    // Usually an EXPUNGE in progress in another session, which drops them
    // itself: when it already has, or holds the lock to, leave it alone.
    // Only records nobody is dropping are worth a wait.
    if (reload_uidlist()) {
        // Others' records that the merge did not see are in uidlist_ now:
        // the next sync must read the directories to add their messages.
        cur_state_.forget();
        new_state_.forget();
        if (!listed()) return;
    }
    std::optional<DotLock> held;
    try {
        held.emplace(DotLock::acquire(uidlist_path(), LockTimeouts{0, timeouts_.stale_seconds}));
    } catch (const MailError& e) {
        if (e.kind() != ErrorKind::Busy) throw;
        return;  // the holder may be the expunger; a later sync finds what is left
    }
    DotLock& lock = *held;
    uidlist_stamp_ = {};
    reload_uidlist(&lock);
    // Others' records that the merge did not see are in uidlist_ now: the
    // next sync must read the directories to add their messages.
    cur_state_.forget();
    new_state_.forget();
    if (!listed()) return;  // their EXPUNGE dropped them first
    ScanResult files = scan_confirmed();
    const size_t before = uidlist_.records.size();
    std::erase_if(uidlist_.records,
                  [&](const UidlistRecord& r) { return candidates.count(r.base) && !files.count(r.base); });
    if (uidlist_.records.size() != before) write_uidlist_locked(lock);
}

void MaildirMailbox::move_new_to_cur(ScanResult& files, std::set<std::string>& moved) {
    for (auto& [base, f] : files) {
        if (!f.in_new) continue;
        std::string to = f.name.find(':') == std::string::npos ? f.name + ":2," : f.name;
        std::string from_path = dir("new") + "/" + f.name, to_path = dir("cur") + "/" + to;
        if (::rename(from_path.c_str(), to_path.c_str()) == 0) {
            f = ScannedFile{to, false};
            moved.insert(base);
        } else if (errno == ENOENT) {
            // Another process moved it first; it is in cur/ under some name.
            ScanResult cur;
            read_dir(dir("cur"), false, cur);
            if (auto it = cur.find(base); it != cur.end()) f = it->second;
        }
        // Other errors (read-only mailbox directory): the message stays in new/.
    }
}

void MaildirMailbox::trim_records() {
    auto& records = uidlist_.records;
    if (messages_.empty() || records.size() < 2) return;
    const Uid last = messages_.back().uid;
    auto keep = std::upper_bound(records.begin(), records.end() - 1, last,
                                 [](Uid uid, const UidlistRecord& r) { return uid < r.uid; });
    if (keep == records.begin()) return;
    records.erase(records.begin(), keep);
    records.shrink_to_fit();
    records_trimmed_ = true;
}

void MaildirMailbox::restore_records() {
    if (!records_trimmed_) return;
    auto text = read_whole_file(uidlist_path());
    std::vector<UidlistRecord> full;
    if (text) full = salvage_uidlist(*text).list.records;
    const Uid first = uidlist_.records.empty() ? UINT32_MAX : uidlist_.records.front().uid;
    std::erase_if(full, [first](const UidlistRecord& r) { return r.uid >= first; });
    uidlist_.records.insert(uidlist_.records.begin(), std::make_move_iterator(full.begin()),
                            std::make_move_iterator(full.end()));
    records_trimmed_ = false;
}

void MaildirMailbox::write_uidlist_locked(DotLock& lock) {
    restore_records();  // never write a uidlist that lost the records we trimmed
    lock.replace(format_uidlist(uidlist_), true);
    uidlist_stamp_ = stamp_of(uidlist_path());
}

void MaildirMailbox::append_uidlist_locked(DotLock& lock, size_t first) {
    const std::string path = uidlist_path();
    UniqueFd fd;
    if (uidlist_.version == 3 && stamp_of(path) == uidlist_stamp_)  // the file is what uidlist_ was read from
        fd.reset(::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC));
    struct stat st;
    char last = 0;
    if (!fd || ::fstat(fd.get(), &st) < 0 || st.st_size == 0 ||
        ::pread(fd.get(), &last, 1, st.st_size - 1) != 1 || last != '\n') {
        write_uidlist_locked(lock);
        return;
    }
    std::string lines;
    for (size_t i = first; i < uidlist_.records.size(); ++i) lines += format_uidlist_record(uidlist_.records[i]);
    write_all(fd.get(), lines, path);
    if (::fdatasync(fd.get()) < 0) throw_errno("cannot fsync " + path, errno);
    fd.reset();
    uidlist_stamp_ = stamp_of(path);
}

bool MaildirMailbox::reload_uidlist(DotLock* held) {
    FileStamp stamp = stamp_of(uidlist_path());
    if (stamp == uidlist_stamp_ && uidlist_.uidvalidity != 0) return false;
    auto text = read_whole_file(uidlist_path());
    if (!text) {
        uidlist_stamp_ = {};
        return false;
    }
    Uidlist fresh;
    try {
        fresh = parse_uidlist(*text);
    } catch (const MailError& e) {
        if (e.kind() != ErrorKind::Corrupt) throw;
        uidlist_ = repair_uidlist(held);
        records_trimmed_ = false;
        return true;
    }
    // A uidlist rewritten with another UIDVALIDITY means our UIDs are void;
    // keep going with the new one (imapd must notice and end the session).
    uidlist_ = std::move(fresh);
    uidlist_stamp_ = stamp;
    records_trimmed_ = false;
    return true;
}

Uidlist MaildirMailbox::repair_uidlist(DotLock* held) {
    std::optional<DotLock> own;
    if (!held) {
        try {
            own.emplace(DotLock::acquire(uidlist_path(), timeouts_));
        } catch (const MailError& e) {
            if (e.kind() != ErrorKind::Permission) throw;
            // A mailbox we cannot write: what can be read, if its UIDs hold.
            auto text = read_whole_file(uidlist_path());
            SalvagedUidlist s = salvage_uidlist(text ? *text : std::string());
            if (!s.keeps_uidvalidity) throw MailError(ErrorKind::Corrupt, "dovecot-uidlist is damaged");
            uidlist_stamp_ = {};
            return s.list;
        }
    }
    DotLock& lock = held ? *held : *own;
    const FileStamp stamp = stamp_of(uidlist_path());
    auto text = read_whole_file(uidlist_path());
    try {
        Uidlist ok = parse_uidlist(text ? *text : std::string());
        uidlist_stamp_ = stamp;  // repaired by another process meanwhile
        return ok;
    } catch (const MailError& e) {
        if (e.kind() != ErrorKind::Corrupt) throw;
    }
    SalvagedUidlist s = salvage_uidlist(text ? *text : std::string());
    if (!s.keeps_uidvalidity) {
        // UIDs above the records may have been given: they cannot be trusted
        // under the old UIDVALIDITY. The records keep their numbers.
        s.list.uidvalidity = next_uidvalidity(maildir_root(path_));
        if (s.list.uidvalidity == uidlist_.uidvalidity) ++s.list.uidvalidity;
    }
    if (s.list.guid.empty()) s.list.guid = random_guid();
    if (held) lock.write(format_uidlist(s.list), true);
    else lock.replace(format_uidlist(s.list), true);
    uidlist_stamp_ = stamp_of(uidlist_path());
    return s.list;
}

void MaildirMailbox::assign_uids(ScanResult& files) {
    auto missing = [&]() {
        std::unordered_set<std::string_view> known;
        known.reserve(uidlist_.records.size() + files_.size());
        for (const auto& r : uidlist_.records) known.insert(r.base);
        for (size_t i = 0; i < files_.size(); ++i) known.insert(files_.base(i));  // trimmed records
        std::vector<std::string> out;
        for (const auto& [base, f] : files)
            if (!known.count(base)) out.push_back(base);
        return out;
    };
    if (missing().empty()) return;
    DotLock lock = DotLock::acquire(uidlist_path(), timeouts_);
    uidlist_stamp_ = {};
    reload_uidlist(&lock);
    // Read the directories again under the lock: a file our scan saw may
    // have been expunged (and its record dropped) while we waited, and must
    // not come back with a new UID for a file that is gone.
    files = scan_confirmed();
    auto todo = missing();
    if (todo.empty()) return;
    // Sorted on keys computed once (strtoull in the comparison was 13% of a
    // first open of 10,000 messages).
    {
        std::vector<std::pair<unsigned long long, std::string>> keyed;
        keyed.reserve(todo.size());
        for (auto& base : todo) keyed.emplace_back(std::strtoull(base.c_str(), nullptr, 10), std::move(base));
        std::sort(keyed.begin(), keyed.end());
        for (size_t i = 0; i < keyed.size(); ++i) todo[i] = std::move(keyed[i].second);
    }
    const size_t first_new = uidlist_.records.size();
    for (const auto& base : todo) {
        const ScannedFile& f = files.find(base)->second;
        UidlistRecord rec{uidlist_.next_uid++, base, {}};
        if (!parse_file_name(f.name).vsize) {
            // Dovecot keeps the RFC822.SIZE of names without W= in the uidlist.
            UniqueFd fd(::open((dir(f.in_new ? "new" : "cur") + "/" + f.name).c_str(), O_RDONLY | O_CLOEXEC));
            if (!fd) continue;  // gone already: no UID for it
            rec.set_extension('W', std::to_string(compute_vsize(fd.get())));
        }
        uidlist_.records.push_back(std::move(rec));
    }
    append_uidlist_locked(lock, first_new);
}

MessageInfo MaildirMailbox::info_for(Uid uid, std::string_view name) const {
    FileName fn = parse_file_name(name);
    MessageInfo info;
    info.uid = uid;
    info.flags = fn.flags;
    uint32_t known = 0;
    for (size_t i = 0; i < keywords_.size() && i < 26; ++i)
        if (!keywords_[i].empty()) known |= 1u << i;
    info.keywords = fn.keyword_letters & known;
    return info;
}

std::string MaildirMailbox::other_flags(std::string_view name) const {
    FileName fn = parse_file_name(name);
    uint32_t known = 0;
    for (size_t i = 0; i < keywords_.size() && i < 26; ++i)
        if (!keywords_[i].empty()) known |= 1u << i;
    std::string other = fn.other;
    for (int i = 0; i < 26; ++i)  // letters without a name are kept, not shown
        if ((fn.keyword_letters & ~known) & (1u << i)) other += static_cast<char>('a' + i);
    return other;
}

void MaildirMailbox::merge(EventSink& sink, bool allow_expunge, const ScanResult& files,
                           const std::set<std::string>& /*moved*/) {
    // Vanished messages first, in sequence order.
    for (size_t i = 0; i < messages_.size();) {
        auto it = files.find(files_.base(i));
        if (it == files.end()) {
            if (allow_expunge) {
                messages_.erase(messages_.begin() + static_cast<ptrdiff_t>(i));
                files_.erase(i);
                sink.expunged(i + 1);
                continue;
            }
            files_.set_vanished(i, true);
        } else {
            files_.set_vanished(i, false);  // found again (a relocate() that lost a readdir race)
        }
        ++i;
    }
    // Flag changes of the messages we know: only a changed name can carry
    // them, or one that relocate() followed without reading its flags.
    for (size_t i = 0; i < messages_.size(); ++i) {
        if (files_.vanished(i)) continue;
        const ScannedFile& f = files.find(files_.base(i))->second;
        if (!files_.relocated(i) && f.in_new == files_.in_new(i) && f.name == files_.name(i)) continue;
        files_.set_relocated(i, false);
        if (f.in_new != files_.in_new(i) || f.name != files_.name(i)) files_.set_name(i, f.name, f.in_new);
        MessageInfo& m = messages_[i];
        MessageInfo fresh = info_for(m.uid, f.name);
        if (fresh.flags != (m.flags & kStorableFlags) || fresh.keywords != m.keywords) {
            m.flags = fresh.flags | (m.flags & kRecent);
            m.keywords = fresh.keywords;
            sink.flags_changed(i + 1);
        }
    }
    // New messages: records above the highest UID we have, whose files exist.
    Uid last = messages_.empty() ? 0 : messages_.back().uid;
    size_t before = messages_.size();
    for (const auto& rec : uidlist_.records) {
        if (rec.uid <= last) continue;
        auto it = files.find(rec.base);
        if (it != files.end()) add_message(rec, it->second);
    }
    if (messages_.size() != before) sink.exists(messages_.size());
}

bool MaildirMailbox::add_message(const UidlistRecord& rec, const ScannedFile& file) {
    MessageInfo info = info_for(rec.uid, file.name);
    FileName fn = parse_file_name(file.name);
    const std::string path = path_ + (file.in_new ? "/new/" : "/cur/") + file.name;
    // The internal date is the file's mtime: from imapd-dates when it has
    // this UID, otherwise read by dated() when a command needs it, so that
    // an open does not stat every file.
    std::optional<int64_t> date = dates_ ? find_date(*dates_, rec.uid) : std::nullopt;
    if (date) set_internal_date(info, *date);
    else info.internal_date = kUnknownDate;
    if (fn.vsize) info.size = *fn.vsize;
    else if (auto w = rec.vsize()) info.size = *w;
    else {
        UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd && errno == ENOENT) return false;
        info.size = fd ? compute_vsize(fd.get()) : 0;
    }
    if (recent_.erase(rec.uid)) info.flags |= kRecent;
    messages_.push_back(info);
    files_.push_back(file.name, file.in_new);
    return true;
}

bool MaildirMailbox::add_own_appends(EventSink& sink) {
    Uid last = messages_.empty() ? 0 : messages_.back().uid;
    auto first = std::find_if(uidlist_.records.begin(), uidlist_.records.end(),
                              [last](const UidlistRecord& r) { return r.uid > last; });
    for (auto it = first; it != uidlist_.records.end(); ++it)
        if (!own_appends_.count(it->base)) return false;  // another writer's: scan
    ScanResult own;
    for (auto& [base, name] : own_appends_) own.emplace(base, ScannedFile{name, false});
    own_appends_.clear();
    claim_recent(own, {}, last);
    size_t before = messages_.size();
    for (auto it = first; it != uidlist_.records.end(); ++it) add_message(*it, own.find(it->base)->second);
    if (messages_.size() != before) sink.exists(messages_.size());
    trim_records();
    return true;
}

bool MaildirMailbox::end_own_change(const FileStamp& before) {
    if (!cur_state_.unchanged_since_scan(before)) {
        cur_state_.forget();
        return false;
    }
    cur_state_.own_change(cur_stamp());
    return true;
}

void MaildirMailbox::load_dates() {
    try {
        if (auto text = read_whole_file(dates_path_))
            dates_ = parse_dates(*text, uidlist_.uidvalidity);
    } catch (const MailError&) {
        // Unreadable: derived data, the dates come from stat.
    }
}

void MaildirMailbox::save_dates(bool opening) {
    // A few new messages a sync do not justify rewriting the file; an open
    // that stat'ed, or many since the last write, do.
    if (dates_missed_ == 0 || (!opening && dates_missed_ < 256)) return;
    std::vector<DateRecord> records;
    records.reserve(messages_.size());
    for (const MessageInfo& m : messages_)
        if (m.internal_date != kUnknownDate) records.push_back({m.uid, m.internal_date});
    const std::string& target = dates_path_;
    const std::string tmp = target + ".tmp";
    if (target.compare(0, path_.size() + 1, path_ + "/") != 0 && !make_index_dir(target)) return;
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd) return;  // a read-only maildir: stat again next time
    try {
        write_all(fd.get(), format_dates(uidlist_.uidvalidity, records), kDatesFileName);
    } catch (const MailError&) {
        ::unlink(tmp.c_str());
        return;
    }
    fd.reset();
    if (::rename(tmp.c_str(), target.c_str()) < 0) {
        ::unlink(tmp.c_str());
        return;
    }
    dates_missed_ = 0;
}

bool MaildirMailbox::relocate(size_t index) {
    ScanResult files = scan();
    auto it = files.find(files_.base(index));
    if (it == files.end()) {
        // readdir() may miss a file renamed while it reads (POSIX leaves it
        // unspecified): look once more before calling it gone.
        files = scan();
        it = files.find(files_.base(index));
    }
    if (it == files.end()) {
        files_.set_vanished(index, true);
        return false;
    }
    // Every other message renamed since our last scan is followed too, so
    // that a STORE over many messages another session renamed costs one
    // directory read, not one a message. Their flags are read at the next sync.
    for (size_t i = 0; i < files_.size(); ++i) {
        auto f = files.find(files_.base(i));
        if (f == files.end() || (f->second.name == files_.name(i) && f->second.in_new == files_.in_new(i))) continue;
        files_.set_name(i, f->second.name, f->second.in_new);
        files_.set_relocated(i, true);
        files_.set_vanished(i, false);
    }
    files_.set_relocated(index, true);
    return true;
}

void MaildirMailbox::sync(EventSink& sink, bool allow_expunge) {
    if (inotify_) {  // drain, so that the descriptor is quiet until the next change
        char buf[4096];
        while (::read(inotify_.get(), buf, sizeof buf) > 0) {
        }
    }
    if (reload_keywords()) {
        sink.keywords_changed();
        // Letters that had no name may have one now: read every name's flags again.
        for (size_t i = 0; i < files_.size(); ++i) files_.set_relocated(i, true);
    }
    if (rename_start_) {  // set_flags renames not yet flush()ed
        end_own_change(*rename_start_);
        rename_start_.reset();
    }
    const int64_t now = now_ns();
    FileStamp new_stamp = stamp_of(dir("new")), cur_stamp = this->cur_stamp();
    bool uidlist_changed = reload_uidlist();
    bool pending = false;
    for (size_t i = 0; allow_expunge && !pending && i < files_.size(); ++i) pending = files_.vanished(i);
    if (!uidlist_changed && !pending && !new_state_.needs_scan(new_stamp, now) &&
        !cur_state_.needs_scan(cur_stamp, now)) {
        // Nothing changed but what we did ourselves: our APPENDs are known
        // without reading cur/ again.
        if (own_appends_.empty() || add_own_appends(sink)) {
            save_dates(false);  // dates that commands read since the last write
            return;
        }
    }
    own_appends_.clear();
    const bool opening = messages_.empty();
    if (opening) load_dates();
    ScanResult files = scan_confirmed();
    std::set<std::string> moved;
    FileStamp before_moves = this->cur_stamp();
    // Only a session that takes \Recent moves new mail to cur/: a message
    // found in new/ is recent in the session that moves it (recent.cpp).
    if (claims_recent_) move_new_to_cur(files, moved);
    const Uid listed_before = uidlist_.records.empty() ? 0 : uidlist_.records.back().uid;
    assign_uids(files);
    claim_recent(files, moved, listed_before);
    // Records whose files are gone (an EXPUNGE killed between its unlinks
    // and its uidlist rewrite) are dropped, so that no later session keeps
    // finding them.
    std::vector<std::string> orphans = read_only_ ? std::vector<std::string>{} : absent_from(files);
    merge(sink, allow_expunge, files, moved);
    if (!orphans.empty()) drop_orphans(orphans);
    dates_.reset();
    save_dates(opening);
    trim_records();
    new_state_.scanned(new_stamp, now);
    cur_state_.scanned(cur_stamp, now);
    if (!moved.empty()) end_own_change(before_moves);  // our moves from new/ need no rescan
}

}  // namespace mail::maildir
