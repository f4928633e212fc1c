#include "modseq/modseq_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "index/index_path.hpp"
#include "util/error.hpp"

namespace mail {

namespace {

[[noreturn]] void fail(const std::string& what, int err) {
    throw MailError(ErrorKind::Io, what + ": " + std::strerror(err));
}

uint64_t clock_modseq() {
    auto now = std::chrono::system_clock::now().time_since_epoch();
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(now).count());
}

void write_all(int fd, std::string_view bytes, off_t at) {
    while (!bytes.empty()) {
        ssize_t n = ::pwrite(fd, bytes.data(), bytes.size(), at);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fail("cannot write the modseq file", n < 0 ? errno : EIO);
        bytes.remove_prefix(static_cast<size_t>(n));
        at += n;
    }
}

size_t count_lines(std::string_view s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }

}  // namespace

ModseqEntry modseq_snapshot(const Mailbox& mailbox, size_t index) {
    const MessageInfo& m = mailbox.at(index);
    ModseqEntry e;
    e.flags = m.flags & kStorableFlags;
    const auto& names = mailbox.keywords();
    for (size_t bit = 0; bit < names.size() && bit < kMaxKeywords; ++bit)
        if ((m.keywords >> bit) & 1 && modseq_keyword_ok(names[bit])) e.keywords.push_back(names[bit]);
    std::sort(e.keywords.begin(), e.keywords.end());
    return e;
}

std::unique_ptr<ModseqFile> ModseqFile::open(const std::string& mailbox_path, std::string_view index_dir) {
    std::string path = index_file_path(mailbox_path, index_dir, "modseq");
    if (!make_index_dir(path)) return nullptr;
    auto file = std::make_unique<ModseqFile>(path);
    file->fd_.reset(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!file->fd_) return nullptr;
    return file;
}

ModseqFile::ModseqFile(std::string path) : path_(std::move(path)) {}

ModseqFile::Guard::~Guard() {
    if (file_ && --file_->lock_depth_ == 0 && file_->fd_) ::flock(file_->fd_.get(), LOCK_UN);
}

ModseqFile::Guard ModseqFile::lock() {
    if (lock_depth_++ == 0) {
        try {
            reopen_and_lock();
            read_new();
        } catch (...) {
            if (fd_) ::flock(fd_.get(), LOCK_UN);
            lock_depth_ = 0;
            throw;
        }
    }
    return Guard(this);
}

// Locks the file the path names now: another process may have replaced it
// (compaction) while this one waited for the lock on the old one.
void ModseqFile::reopen_and_lock() {
    for (int attempt = 0; attempt < 100; ++attempt) {
        if (!fd_) {
            fd_.reset(::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
            if (!fd_) fail("cannot open " + path_, errno);
        }
        while (::flock(fd_.get(), LOCK_EX) < 0)
            if (errno != EINTR) fail("cannot lock " + path_, errno);
        struct stat held {}, named {};
        if (::fstat(fd_.get(), &held) < 0) fail("cannot stat " + path_, errno);
        if (::stat(path_.c_str(), &named) == 0 && named.st_ino == held.st_ino && named.st_dev == held.st_dev) {
            if (held.st_ino != ino_ || held.st_dev != dev_) {
                ino_ = held.st_ino, dev_ = held.st_dev;
                state_ = {}, size_ = 0, records_ = 0;
            }
            return;
        }
        fd_.reset();  // replaced or removed: open what the path names now
    }
    throw MailError(ErrorKind::Busy, "the modseq file keeps changing: " + path_);
}

void ModseqFile::read_new() {
    struct stat st {};
    if (::fstat(fd_.get(), &st) < 0) fail("cannot stat " + path_, errno);
    uint64_t size = static_cast<uint64_t>(st.st_size);
    if (size < size_) {  // truncated under us: read it all again
        state_ = {}, size_ = 0, records_ = 0;
    }
    if (size == 0) {
        rebuild(0);
        return;
    }
    std::string bytes(size - size_, '\0');
    size_t got = 0;
    while (got < bytes.size()) {
        ssize_t n = ::pread(fd_.get(), bytes.data() + got, bytes.size() - got, static_cast<off_t>(size_ + got));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail("cannot read " + path_, errno);
        if (n == 0) break;
        got += static_cast<size_t>(n);
    }
    bytes.resize(got);
    bool at_start = size_ == 0;
    LogReadResult r = apply_modseq_log(state_, bytes, at_start);
    if (r.damaged || (at_start && !r.has_header)) {
        rebuild(std::max(r.max_modseq, state_.highest));
        return;
    }
    size_ += r.consumed;
    records_ += count_lines(bytes.substr(0, r.consumed));
    // A torn last line (a writer died mid-write) goes, so that the next
    // record starts on a line of its own.
    if (r.consumed < bytes.size() && ::ftruncate(fd_.get(), static_cast<off_t>(size_)) < 0)
        fail("cannot truncate " + path_, errno);
}

// Starts a new state above every modseq given before (as far as it can be
// known: the clock, and the largest value the old file still shows).
void ModseqFile::rebuild(uint64_t above) {
    state_ = {};
    state_.highest = std::max(above, clock_modseq());
    state_.expunge_floor = state_.highest;
    write_whole();
}

void ModseqFile::write_whole() {
    std::string text = modseq_file_text(state_, kMaxExpunged);
    std::string tmp = path_ + ".tmp" + std::to_string(::getpid());
    UniqueFd out(::open(tmp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!out) fail("cannot create " + tmp, errno);
    try {
        write_all(out.get(), text, 0);
        if (::fdatasync(out.get()) < 0) fail("cannot write " + tmp, errno);
        // Locked before it has its name, so no one else holds it first.
        if (::flock(out.get(), LOCK_EX) < 0) fail("cannot lock " + tmp, errno);
        if (::rename(tmp.c_str(), path_.c_str()) < 0) fail("cannot rename " + tmp, errno);
    } catch (...) {
        ::unlink(tmp.c_str());
        throw;
    }
    struct stat st {};
    ::fstat(out.get(), &st);
    fd_ = std::move(out);  // closing the old one drops the lock on the old file
    ino_ = st.st_ino, dev_ = st.st_dev;
    ModseqState reread;
    apply_modseq_log(reread, text, true);
    state_ = std::move(reread);
    size_ = text.size();
    records_ = count_lines(text);
}

void ModseqFile::append(const std::string& lines) {
    if (lines.empty()) return;
    write_all(fd_.get(), lines, static_cast<off_t>(size_));
    if (::fdatasync(fd_.get()) < 0) fail("cannot write " + path_, errno);
    size_ += lines.size();
    records_ += count_lines(lines);
    compact_if_large();
}

void ModseqFile::compact_if_large() {
    size_t live = state_.messages.size() + state_.expunged.size();
    if (records_ > 2 * live + 4096) write_whole();
}

uint64_t ModseqFile::sync(const Mailbox& mailbox) {
    bool reset = state_.uidvalidity != mailbox.uidvalidity();
    if (reset) {
        uint64_t highest = state_.highest;
        state_ = {};
        state_.uidvalidity = mailbox.uidvalidity();
        state_.highest = state_.expunge_floor = highest;
    }
    std::vector<MessageSnapshot> view;
    view.reserve(mailbox.count());
    for (size_t i = 0; i < mailbox.count(); ++i) view.push_back({mailbox.at(i).uid, modseq_snapshot(mailbox, i)});
    std::sort(view.begin(), view.end(), [](const auto& a, const auto& b) { return a.uid < b.uid; });
    ModseqChanges changes = detect_modseq_changes(state_, view);
    uint64_t modseq = 0;
    std::string lines = apply_modseq_changes(state_, changes, modseq);
    if (reset) write_whole();
    else append(lines);
    return modseq;
}

uint64_t ModseqFile::record(const Mailbox& mailbox, const std::vector<size_t>& indexes) {
    ModseqChanges changes;
    for (size_t i : indexes) changes.messages.push_back({mailbox.at(i).uid, modseq_snapshot(mailbox, i)});
    uint64_t modseq = 0;
    append(apply_modseq_changes(state_, changes, modseq));
    return modseq;
}

uint64_t ModseqFile::modseq_of(Uid uid) const {
    auto it = state_.messages.find(uid);
    return it == state_.messages.end() ? 0 : it->second.modseq;
}

std::vector<Uid> ModseqFile::expunged_since(uint64_t since, bool& complete) const {
    complete = since >= state_.expunge_floor;
    std::vector<Uid> uids;
    for (const auto& [uid, modseq] : state_.expunged)
        if (modseq > since) uids.push_back(uid);
    return uids;
}

}  // namespace mail
