#include "imapd/commands/mailbox_util.hpp"

#include <algorithm>

#include "imapd/protocol/arg_reader.hpp"
#include "imapd/session/session.hpp"
#include "mailbox/name.hpp"
#include "util/error.hpp"
#include "util/imap_string.hpp"

namespace mail::imapd {

namespace {

// The sink hears of the messages the sync finds and of the expunges.
void expunge_added(Mailbox& box, const std::vector<Uid>& uids, EventSink& sink) {
    if (uids.empty()) return;
    try {
        box.sync(sink, true);
        for (Uid uid : uids)
            if (auto i = box.index_of(uid)) box.change_flags(*i, FlagChange::add(kDeleted));
        box.expunge(sink, &uids);
    } catch (const MailError&) {
        // Best effort: the command already fails with the first error.
    }
}

}  // namespace

Store& user_store(Session& session) {
    Store* store = session.store();
    if (!store) throw MailError(ErrorKind::Invalid, "No mail store is configured for this session");
    return *store;
}

std::string mailbox_astring(std::string_view name) {
    bool atom = !name.empty() && name != "NIL" &&
                std::all_of(name.begin(), name.end(), [](char c) { return is_astring_char(c); });
    if (atom) return std::string(name);
    std::string out;
    append_imap_string(out, name);
    return out;
}

std::unique_ptr<Mailbox> open_target(Store& store, std::string_view name) {
    Store::Resolved r = store.resolve(name);
    if (!r.driver && canonical_mailbox_name(name) != "INBOX")
        throw MailError(ErrorKind::NotFound, "[TRYCREATE] Mailbox does not exist");
    return store.open(name, OpenMode::Deliver);
}

bool is_selected(Session& session, std::string_view name) {
    return session.mailbox() && !session.selected_name().empty() &&
           session.selected_name() == canonical_mailbox_name(name);
}

TargetMailbox target_mailbox(Session& session, std::string_view name) {
    Mailbox* selected = session.mailbox();
    if (selected && !selected->read_only() && is_selected(session, name)) return TargetMailbox(*selected);
    return TargetMailbox(open_target(user_store(session), name));
}

std::string uid_set_text(const std::vector<Uid>& uids) {
    std::string out;
    for (size_t i = 0; i < uids.size();) {
        size_t j = i;
        while (j + 1 < uids.size() && uids[j + 1] == uids[j] + 1) ++j;
        if (!out.empty()) out += ',';
        out += std::to_string(uids[i]);
        if (j > i) out += ':' + std::to_string(uids[j]);
        i = j + 1;
    }
    return out;
}

void remove_added(Mailbox& box, const std::vector<Uid>& uids) {
    NullEventSink ignore;
    expunge_added(box, uids, ignore);
}

void remove_added(Session& session, TargetMailbox& target, const std::vector<Uid>& uids) {
    if (!target.selected()) {
        remove_added(*target, uids);
        return;
    }
    expunge_added(*target, uids, session);
}

}  // namespace mail::imapd
