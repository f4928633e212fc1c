// The interface every format's open mailbox implements, and the sink through
// which a mailbox tells its user (an imapd session, a test) about changes.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailbox/types.hpp"

namespace mail {

// Told of changes found by Mailbox::sync(), in the order they must be
// reported. Sequence numbers are 1-based and valid at the moment of the call
// (after an expunged(n), the messages above n have moved down by one).
class EventSink {
public:
    virtual ~EventSink() = default;
    virtual void expunged(size_t seq) = 0;
    virtual void exists(size_t count) = 0;
    virtual void flags_changed(size_t seq) = 0;
    virtual void keywords_changed() {}  // the keyword table grew
};

// A sink for changes nobody needs to hear of (a mailbox opened to be
// read through once, its own first sync).
class NullEventSink : public EventSink {
public:
    void expunged(size_t) override {}
    void exists(size_t) override {}
    void flags_changed(size_t) override {}
};

// A new message being written. write() as often as needed, then commit(),
// which makes it durable (fsync) and visible and returns its UID. Destroying
// an AppendSink that was not committed leaves no trace of the message.
class AppendSink {
public:
    virtual ~AppendSink() = default;
    virtual void write(std::string_view bytes) = 0;
    virtual Uid commit() = 0;
};

struct AppendRequest {
    uint32_t flags = 0;                 // kStorableFlags bits
    std::vector<std::string> keywords;  // names; created in the mailbox as needed
    int64_t internal_date = 0;          // 0: now
    int32_t zone_minutes = 0;
    uint64_t size_hint = 0;             // expected length in bytes, 0 if unknown
    // The envelope sender for formats that store one (the unix "From " line);
    // empty: the invoking user. No spaces or control characters.
    std::string envelope_from;
    // 0: the next UID. Otherwise the UID to give the message, for a copy
    // that keeps the UIDs of its source (mailtool convert): it must be above
    // every UID in the mailbox (MailError(Invalid) otherwise) and below the
    // UIDNEXT the mailbox was created with (Driver::create with a UidBase),
    // or the UID is not the mailbox's to give; UIDNEXT stays above it.
    Uid uid = 0;
};

// Deliver is ReadWrite for a mailbox opened only to add messages (APPEND and
// COPY targets, dmail): it does not take \Recent for the messages it sees,
// which stay recent for the next session that selects the mailbox. A
// driver may leave its message list empty until the first sync() (maildir
// does: opening to append must not cost a scan of every message).
enum class OpenMode { ReadWrite, ReadOnly, Deliver };

// A flag change as a client asks for it: replace the flags, add to them or
// remove from them. Mailbox::change_flags applies it to the flags stored on
// disk, not to a session's copy, so that two sessions changing different
// flags of one message do not undo each other's change.
struct FlagChange {
    enum class Op { Replace, Add, Remove };
    Op op = Op::Replace;
    uint32_t flags = 0;         // kStorableFlags bits
    KeywordMask keywords = 0;

    uint32_t apply(uint32_t current) const {
        current &= kStorableFlags;
        switch (op) {
        case Op::Replace: return flags & kStorableFlags;
        case Op::Add: return current | (flags & kStorableFlags);
        case Op::Remove: return current & ~flags;
        }
        return current;
    }
    KeywordMask apply(KeywordMask current) const {
        switch (op) {
        case Op::Replace: return keywords;
        case Op::Add: return current | keywords;
        case Op::Remove: return current & ~keywords;
        }
        return current;
    }
    static FlagChange add(uint32_t f) { return {Op::Add, f, 0}; }
};

class Mailbox {
public:
    virtual ~Mailbox() = default;

    virtual bool read_only() const = 0;
    virtual Uid uidvalidity() const = 0;
    virtual Uid uidnext() const = 0;

    // The messages in sequence order (index 0 is sequence number 1).
    size_t count() const { return messages_.size(); }
    const MessageInfo& at(size_t index) const { return messages_.at(index); }
    const std::vector<MessageInfo>& messages() const { return messages_; }
    // The index of the message with this UID, if present (binary search).
    std::optional<size_t> index_of(Uid uid) const;

    // The message at index with its internal date and zone known. A driver
    // may leave MessageInfo::internal_date at kUnknownDate after a sync and
    // read it here on demand, remembering it (maildir: the file's mtime, as
    // Dovecot reads received dates lazily), so that an open need not stat
    // every file. Every reader of internal_date or zone_minutes goes through
    // this, not at(). Throws MailError(NotFound) as content() does when
    // another program removed the message since the last sync().
    virtual const MessageInfo& dated(size_t index) { return messages_.at(index); }
    // The date a cache record's MessageKey carries (cache/): the internal
    // date, or 0 for a format whose UID, size and UIDVALIDITY already prove
    // which bytes a record describes (maildir), so that a cache lookup needs
    // no date.
    virtual int64_t cache_key_date(size_t index) { return dated(index).internal_date; }

    // The keyword names, in the order of the KeywordMask bits.
    const std::vector<std::string>& keywords() const { return keywords_; }
    // The bit of a keyword, creating it when create is set and there is room.
    virtual std::optional<size_t> keyword_bit(std::string_view name, bool create) = 0;

    // The stored bytes of a message. Throws MailError(NotFound) when another
    // program removed it since the last sync().
    virtual MessageContent content(size_t index) = 0;

    // Starts appending a message at the end of this mailbox.
    virtual std::unique_ptr<AppendSink> append(const AppendRequest& request) = 0;

    // Sets the stored flags and keywords of a message (kRecent is ignored).
    // Visible to other sessions after the call for maildir and mbx, durable
    // (fsynced) after flush(), which a command calls once after its changes;
    // drivers that must rewrite files (unix) write at flush().
    virtual void set_flags(size_t index, uint32_t flags, KeywordMask keywords) = 0;
    // Applies a change to the message's current stored flags and returns
    // whether they changed; at(index) shows the result afterwards. A driver
    // whose flags another process may have changed since the last sync()
    // reads them back under its lock first (the base class uses at(index)).
    // Throws MailError(NotFound) as set_flags does.
    virtual bool change_flags(size_t index, const FlagChange& change);
    virtual void flush() {}
    // Writes changes that a driver keeps out of the mailbox file between
    // commands (unix: flag changes, lazily, as Dovecot's mbox does) into it:
    // at CHECK, and when checkpoint_due_ms() reaches 0 while the session
    // waits. Closing the mailbox (the destructor) checkpoints too.
    virtual void checkpoint() { flush(); }
    // Milliseconds until checkpoint() should run even without a command; -1
    // when nothing waits.
    virtual int64_t checkpoint_due_ms() const { return -1; }

    // Removes the messages flagged \Deleted (only those whose UIDs are in
    // `only` when given, as UID EXPUNGE does), telling the sink of each.
    virtual void expunge(EventSink& sink, const std::vector<Uid>* only = nullptr) = 0;

    // Picks up changes made by other processes: new messages (exists), flag
    // changes, and, when allow_expunge is set, messages removed by others.
    // When it is not set, vanished messages stay in the index until a later
    // sync that allows expunges.
    virtual void sync(EventSink& sink, bool allow_expunge) = 0;

    // A file descriptor that becomes readable (inotify) when the mailbox may
    // have changed, for IDLE; -1 if the driver has none.
    virtual int change_fd() { return -1; }

    // The format's own MAILBOXID (RFC 8474), e.g. maildir's uidlist GUID;
    // empty when it has none and mailbox_id.hpp keeps one in a file.
    virtual std::string mailbox_id() const { return {}; }

protected:
    std::vector<MessageInfo> messages_;
    std::vector<std::string> keywords_;
};

}  // namespace mail
