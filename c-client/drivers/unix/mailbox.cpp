// Opening a Berkeley mbox, reading messages, keywords, flags in memory.
#include <sys/stat.h>

#include <algorithm>

#include "drivers/unix/unix_mailbox.hpp"
#include "index/index_path.hpp"
#include "util/error.hpp"

namespace mail::unixmbox {

UnixMailbox::UnixMailbox(std::string path, OpenMode mode, std::string_view index_dir)
    : path_(std::move(path)), index_path_(index_file_path(path_, index_dir, "index")),
      journal_path_(index_file_path(path_, index_dir, "append")),
      read_only_(mode == OpenMode::ReadOnly), deliver_(mode == OpenMode::Deliver) {
    struct stat st;
    if (::stat(path_.c_str(), &st) < 0 || !S_ISREG(st.st_mode))
        throw MailError(ErrorKind::NotFound, "mailbox does not exist");
    if (!read_only_ && ::access(path_.c_str(), W_OK) < 0) read_only_ = true;
    NullEventSink sink;
    reload(sink, true);
    // A mailbox without UID data gets its UIDVALIDITY written now, as UW
    // does at its first checkpoint, so that it stays the same.
    if (!read_only_ && !uids_.have_base) rewrite(nullptr, nullptr);
}

UnixMailbox::~UnixMailbox() {
    try {
        flush();
    } catch (...) {
        // Nothing to tell anyone at close; the changes are lost as UW's would be.
    }
}

MessageContent UnixMailbox::content(size_t index) {
    const MessagePlace& p = places_.at(index);
    return MessageContent(p.fd, p.visible);
}

std::optional<size_t> UnixMailbox::keyword_bit(std::string_view name, bool create) {
    for (size_t i = 0; i < keywords_.size(); ++i)
        if (keywords_[i] == name) return i;
    if (!create || keywords_.size() >= kMaxKeywords || read_only_) return std::nullopt;
    keywords_.emplace_back(name);
    persist_needed_ = true;  // the table lives in X-IMAP / X-IMAPbase
    return keywords_.size() - 1;
}

KeywordMask UnixMailbox::keyword_mask(const std::vector<std::string>& names) {
    KeywordMask mask = 0;
    for (const auto& n : names) {
        auto it = std::find(keywords_.begin(), keywords_.end(), n);
        if (it == keywords_.end()) {
            if (keywords_.size() >= kMaxKeywords) continue;
            keywords_.push_back(n);
            persist_needed_ = true;  // UW reads X-Keywords only against its table
            it = keywords_.end() - 1;
        }
        mask |= KeywordMask{1} << (it - keywords_.begin());
    }
    return mask;
}

void UnixMailbox::set_flags(size_t index, uint32_t flags, KeywordMask keywords) {
    if (read_only_) throw MailError(ErrorKind::Permission, "mailbox is read-only");
    MessageInfo& m = messages_.at(index);
    uint32_t next = (flags & kStorableFlags) | (m.flags & kRecent);
    if (next == m.flags && keywords == m.keywords) return;
    m.flags = next;
    m.keywords = keywords;
    places_.at(index).dirty = true;
    flags_dirty_ = true;
}

void UnixMailbox::flush() {
    if (read_only_ || (!flags_dirty_ && !persist_needed_)) return;
    rewrite(nullptr, nullptr);
}

void UnixMailbox::expunge(EventSink& sink, const std::vector<Uid>* only) {
    if (read_only_) throw MailError(ErrorKind::Permission, "mailbox is read-only");
    for (int attempt = 0; attempt < 3; ++attempt) {
        std::set<Uid> gone;
        for (const MessageInfo& m : messages_)
            if ((m.flags & kDeleted) && (!only || std::find(only->begin(), only->end(), m.uid) != only->end()))
                gone.insert(m.uid);
        if (gone.empty() && !flags_dirty_) return;
        if (rewrite(&gone, &sink)) return;
        sync(sink, true);  // changed under us: catch up, then try again
    }
    throw MailError(ErrorKind::Busy, "the mailbox is being changed by another program; try again later");
}

}  // namespace mail::unixmbox
