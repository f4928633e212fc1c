// CLOSE (RFC 3501 6.4.2): removes the \Deleted messages without reporting
// them (when the mailbox is read-write) and returns to the authenticated state.
#include "imapd/session/session.hpp"
#include "util/error.hpp"

namespace mail::imapd {

namespace {

struct Silent : EventSink {
    void expunged(size_t) override {}
    void exists(size_t) override {}
    void flags_changed(size_t) override {}
};

}  // namespace

Reply cmd_close(CommandContext& ctx) {
    ctx.args.end();
    Session& s = ctx.session;
    Mailbox* box = s.mailbox();
    std::string failure;
    if (box && !box->read_only()) {
        try {
            Silent silent;
            box->flush();
            box->expunge(silent);
        } catch (const MailError& e) {
            failure = e.what();
        }
    }
    // The mailbox is closed even when the expunge failed (RFC 3501: CLOSE
    // always leaves the selected state).
    s.unselect();
    if (!failure.empty()) return Reply::no("Closed, but the expunge failed: " + failure);
    return Reply::ok("Close completed");
}

}  // namespace mail::imapd
