// Helpers shared by the commands that work on mailboxes as wholes (SELECT,
// LIST, STATUS, APPEND, COPY, MOVE...): the session's Store, mailbox names
// in responses, message sets, and copying messages between mailboxes.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "imapd/commands/fetch_set.hpp"  // message_indexes()
#include "mailbox/mailbox.hpp"
#include "mailbox/store.hpp"

namespace mail::imapd {

class Session;

// The session's Store; MailError when there is none (not logged in).
Store& user_store(Session& session);

// A mailbox name as an IMAP astring, written as Dovecot writes it: an atom
// when it can be one, else a quoted string or a literal.
std::string mailbox_astring(std::string_view name);

// Opens an existing mailbox as the target of APPEND, COPY or MOVE: a missing
// one is MailError "[TRYCREATE] ..." (RFC 3501 6.3.11), INBOX is created.
std::unique_ptr<Mailbox> open_target(Store& store, std::string_view name);

// Whether name (as the client sent it) is the session's selected mailbox.
bool is_selected(Session& session, std::string_view name);

// The mailbox APPEND, COPY or MOVE write into. When it is the session's
// selected mailbox, open read-write, that very instance: its driver then
// adds its own new messages at the next sync without a rescan, and the
// session reports them with one EXISTS (a second instance's appends look
// like another process's change). Otherwise a Deliver instance from
// open_target(), owned here.
class TargetMailbox {
public:
    explicit TargetMailbox(Mailbox& selected) : box_(&selected) {}
    explicit TargetMailbox(std::unique_ptr<Mailbox> own) : own_(std::move(own)), box_(own_.get()) {}

    Mailbox& operator*() const { return *box_; }
    Mailbox* operator->() const { return box_; }
    // True when this is the session's selected mailbox.
    bool selected() const { return own_ == nullptr; }

private:
    std::unique_ptr<Mailbox> own_;
    Mailbox* box_;
};

// The target as above; open_target()'s errors ([TRYCREATE]) otherwise.
TargetMailbox target_mailbox(Session& session, std::string_view name);

// "1:3,5,9:10" for ascending or unsorted UIDs, in the given order when they
// are not ascending (COPYUID pairs source and target positionally).
std::string uid_set_text(const std::vector<Uid>& uids);


// Removes messages this command added when a later step fails: flags them
// \Deleted and expunges only them; errors are swallowed (best effort).
void remove_added(Mailbox& box, const std::vector<Uid>& uids);
// The same for a TargetMailbox: when it is the selected mailbox, the session
// hears of the change (EXISTS, then EXPUNGE), so that its sequence numbers
// stay the client's.
void remove_added(Session& session, TargetMailbox& target, const std::vector<Uid>& uids);

}  // namespace mail::imapd
