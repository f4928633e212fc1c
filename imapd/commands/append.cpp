// APPEND (RFC 3501 6.3.11) with MULTIAPPEND (RFC 3502) and UIDPLUS's
// APPENDUID (RFC 4315). The session streams each message literal into an
// uncommitted AppendSink; only when the last message is in are they all
// committed, so a failure before that leaves no message behind. Should a
// commit fail half way, the messages already committed are expunged again.
// Over-size messages are refused with [TOOBIG] by the command reader before
// any byte is read (ParserLimits::max_message, from max_message_size).
// Into the selected mailbox, the messages go through the session's own
// instance (target_mailbox): no second open, no rescan, one EXISTS.
#include "imapd/commands/mailbox_util.hpp"
#include "imapd/protocol/parse_error.hpp"
#include "imapd/session/mailbox_names.hpp"
#include "imapd/session/session.hpp"
#include "mailbox/name.hpp"
#include "mime/binary_append.hpp"
#include "quota/quota.hpp"
#include "util/error.hpp"

namespace mail::imapd {

namespace {

class MailboxAppend : public AppendTransaction {
public:
    MailboxAppend(Session& session, TargetMailbox box, std::string name, uint64_t max_size, const Store& store)
        : session_(session),
          box_(std::move(box)), name_(std::move(name)), max_size_(max_size), limits_(store.settings()) {
        if (quota_limited(limits_)) used_ = store_usage(store, limits_.quota_messages != 0);
    }

    void begin(const AppendMessage& message) override {
        if (canonical_mailbox_name(name_from_client(session_, message.mailbox)) != name_)
            throw MailError(ErrorKind::Invalid, "All messages of one APPEND go to one mailbox");
        // RFC 6855 4: the UTF8 data extension exists only once UTF8=ACCEPT is on.
        if (message.utf8 && !utf8_names(session_)) throw ParseError("APPEND UTF8 needs ENABLE UTF8=ACCEPT first");
        if (message.size > max_size_)
            throw MailError(ErrorKind::TooBig, "Message too large: the limit is " + std::to_string(max_size_) + " bytes");
        if (message.size == 0) throw MailError(ErrorKind::Invalid, "Can't save a zero byte message");
        // RFC 9208: [OVERQUOTA] before the message is read; the messages of
        // this command already in count, so that none is committed.
        check_quota(limits_, used_, message.size, 1);
        used_.bytes += message.size;
        ++used_.messages;
        AppendRequest req;
        req.flags = message.flags.flags & kStorableFlags;
        req.keywords = message.flags.keywords;
        if (message.date) {
            req.internal_date = message.date->time;
            req.zone_minutes = message.date->zone_minutes;
        }
        req.size_hint = message.size;
        current_ = box_->append(req);
        // RFC 3516 4.2: binary parts are kept base64-encoded (as Dovecot does).
        if (message.binary) current_ = binary_converting_sink(std::move(current_));
    }

    void write(std::string_view bytes) override { current_->write(bytes); }

    void end_message() override { pending_.push_back(std::move(current_)); }

    Reply finish() override {
        std::vector<Uid> uids;
        try {
            for (auto& sink : pending_) uids.push_back(sink->commit());
        } catch (const MailError&) {
            remove_added(session_, box_, uids);
            throw;
        }
        pending_.clear();
        return Reply::ok("[APPENDUID " + std::to_string(box_->uidvalidity()) + " " + uid_set_text(uids) +
                         "] Append completed");
    }

private:
    Session& session_;  // whether names are UTF-8 (RFC 6855); told of a failed commit's removal
    TargetMailbox box_;
    std::string name_;
    uint64_t max_size_;
    StoreSettings limits_;
    QuotaUsage used_;  // at the start of the command, plus the messages begun since
    std::unique_ptr<AppendSink> current_;
    std::vector<std::unique_ptr<AppendSink>> pending_;  // written, not yet committed
};

}  // namespace

std::unique_ptr<AppendTransaction> start_append(Session& session, const AppendMessage& message) {
    std::string name = name_from_client(session, message.mailbox);
    TargetMailbox box = target_mailbox(session, name);
    if (box->read_only()) throw MailError(ErrorKind::Permission, "Mailbox is read-only");
    return std::make_unique<MailboxAppend>(session, std::move(box), canonical_mailbox_name(name),
                                           session.options().limits.max_message, user_store(session));
}

}  // namespace mail::imapd
