#include "imapd/commands/mailbox_util.hpp"

#include <algorithm>

#include "imapd/protocol/arg_reader.hpp"
#include "imapd/session/session.hpp"
#include "mailbox/name.hpp"
#include "util/error.hpp"
#include "util/imap_string.hpp"

namespace mail::imapd {

namespace {

struct IgnoreEvents : EventSink {
    void expunged(size_t) override {}
    void exists(size_t) override {}
    void flags_changed(size_t) override {}
};

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

AppendRequest copy_request(const Mailbox& from, size_t index) {
    const MessageInfo& m = from.at(index);
    AppendRequest req;
    req.flags = m.flags & kStorableFlags;
    for (size_t b = 0; b < from.keywords().size() && b < kMaxKeywords; ++b)
        if (m.keywords & (KeywordMask{1} << b)) req.keywords.push_back(from.keywords()[b]);
    req.internal_date = m.internal_date;
    req.zone_minutes = m.zone_minutes;
    req.size_hint = m.size;
    return req;
}

void copy_content(Mailbox& from, size_t index, AppendSink& to) {
    MessageContent content = from.content(index);
    std::vector<char> buf(64 * 1024);
    uint64_t off = 0;
    while (size_t n = content.read(off, buf.data(), buf.size())) {
        to.write(std::string_view(buf.data(), n));
        off += n;
    }
}

void remove_added(Mailbox& box, const std::vector<Uid>& uids) {
    if (uids.empty()) return;
    try {
        IgnoreEvents ignore;
        box.sync(ignore, true);
        for (Uid uid : uids)
            if (auto i = box.index_of(uid)) box.set_flags(*i, box.at(*i).flags | kDeleted, box.at(*i).keywords);
        box.expunge(ignore, &uids);
    } catch (const MailError&) {
        // Best effort: the command already fails with the first error.
    }
}

}  // namespace mail::imapd
