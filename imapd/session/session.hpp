// One IMAP session on a Transport: reads commands, runs them through the
// command table, writes responses, tracks the state (RFC 3501 3) and the
// selected mailbox, and reports the mailbox's changes as untagged responses.
#pragma once

#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "imapd/protocol/command_reader.hpp"
#include "imapd/protocol/limits.hpp"
#include "imapd/session/command_spec.hpp"
#include "imapd/session/transport.hpp"
#include "cache/message_cache.hpp"
#include "mailbox/mailbox.hpp"
#include "mailbox/store.hpp"
#include "modseq/modseq_file.hpp"
#include "sort/sort_keys.hpp"

namespace mail::imapd {

class LoginService;  // imapd/auth/login_service.hpp

struct SessionOptions {
    ParserLimits limits;
    std::chrono::seconds autologout{30 * 60};  // idle time after login
    std::chrono::seconds login_timeout{60};    // idle time before login
    std::chrono::seconds idle_sync{30};        // IDLE's safety re-check of the mailbox
    unsigned max_bad_commands = 20;            // BADs in a row before BYE (Dovecot's limit)
    std::string user;                          // set when preauthenticated
    std::string home;
    // Root-started sessions: LOGIN, AUTHENTICATE, STARTTLS and the
    // pre-login capabilities go through it. Null: LOGINDISABLED.
    LoginService* login = nullptr;
};

class Session : public EventSink {
public:
    Session(Transport& transport, SessionOptions options,
            std::span<const CommandSpec> table = {});
    ~Session() override;

    // The greeting: "* PREAUTH" when options.user is set, "* OK" otherwise.
    void greet();
    // Serves commands until LOGOUT, autologout, too many errors or the
    // client closing the connection.
    void run();

    // --- for command handlers ---
    State state() const { return state_; }
    void set_state(State s) { state_ = s; }
    const SessionOptions& options() const { return options_; }
    Transport& transport() { return *transport_; }
    // COMPRESS (RFC 4978): `layer` (made over transport()) carries the
    // session once the current command's tagged response has been flushed.
    void layer_transport_after_reply(std::unique_ptr<Transport> layer) { pending_layer_ = std::move(layer); }
    bool transport_layered() const { return layer_ != nullptr || pending_layer_ != nullptr; }
    CommandReader& reader() { return reader_; }

    // "* " + text + CRLF, buffered.
    void untagged(std::string_view text);
    // Raw bytes into the output buffer (for literals in responses).
    void write(std::string_view bytes);
    // "+ " + text + CRLF, flushed: the client is waiting for it.
    void continuation(std::string_view text);
    void flush();
    // Reads once from the client into the reader; false when it has gone
    // (the session is then in the Logout state).
    bool read_some();

    // "IMAP4rev1 LITERAL+ ..." for this state.
    std::string capabilities() const;
    // Extensions the client turned on with ENABLE (upper case).
    bool enabled(std::string_view extension) const;
    void enable(std::string_view extension);
    // What ENABLE may turn on (filled in as CONDSTORE, UTF8=ACCEPT... come).
    std::vector<std::string> enableable;

    // The user's mailboxes, set at login or preauthentication; null before.
    Store* store() { return store_.get(); }
    void set_store(std::unique_ptr<Store> store) { store_ = std::move(store); }

    // The selected mailbox, or null.
    Mailbox* mailbox() { return mailbox_.get(); }
    // Its name as canonical_mailbox_name() gives it ("" when unknown).
    const std::string& selected_name() const { return selected_name_; }
    void select(std::unique_ptr<Mailbox> mailbox, std::string name = {});  // state Selected
    void unselect();                                // state Authenticated
    // Reports the mailbox's changes (untagged EXISTS/EXPUNGE/FETCH).
    void sync_mailbox(bool allow_expunge);
    // Parsed data of the selected mailbox's recently fetched messages;
    // cleared when another mailbox is selected.
    MessageCache& message_cache() { return message_cache_; }
    // Sort and thread keys (c-client/sort) of the selected mailbox's
    // messages, read once each; cleared when another mailbox is selected.
    SortKeyCache& sort_keys() { return sort_keys_; }
    // RFC 5182 SEARCHRES: the UIDs that SEARCH or SORT RETURN (SAVE) kept,
    // which "$" stands for; empty again after SELECT, EXAMINE, CLOSE, UNSELECT.
    const std::vector<Uid>& saved_result() const { return saved_result_; }
    void set_saved_result(std::vector<Uid> uids) { saved_result_ = std::move(uids); }

    // CONDSTORE/QRESYNC (RFC 7162). The selected mailbox's modseq file,
    // opened once CONDSTORE is on (ENABLE, SELECT (CONDSTORE), or a command
    // that uses modseqs turns it on); null when off or the mailbox cannot
    // have one ([NOMODSEQ]).
    bool condstore() const { return enabled("CONDSTORE"); }
    // ENABLE IMAP4rev2 (RFC 9051) was sent: no \Recent, SEARCH answers
    // ESEARCH, SELECT sends LIST (imapd/session/protocol_mode.hpp).
    bool rev2() const { return enabled("IMAP4rev2"); }
    bool qresync() const { return enabled("QRESYNC"); }
    ModseqFile* modseq() { return modseq_.get(); }
    // Turns CONDSTORE on and opens the selected mailbox's modseq file.
    ModseqFile* use_condstore();

    // EventSink: how a mailbox's changes are written.
    void expunged(size_t seq) override;
    void exists(size_t count) override;
    void flags_changed(size_t seq) override;
    void keywords_changed() override;

private:
    const CommandSpec* find(std::string_view name) const;
    void dispatch(const Command& cmd);
    void on_append_message();
    void on_append_done();
    void stream_message();
    // count_bad false: a BAD that does not count towards max_bad_commands.
    void respond(const std::string& tag, const Reply& reply, bool allow_expunge, bool count_bad = true);
    bool fill_input();
    Reply check_allowed(const CommandSpec* spec, const Command& cmd) const;

    Transport* transport_;                   // the client: the connection, or layer_ over it
    std::unique_ptr<Transport> layer_, pending_layer_;
    SessionOptions options_;
    std::span<const CommandSpec> table_;
    CommandReader reader_;
    State state_ = State::NotAuthenticated;
    std::string out_;
    bool gone_ = false;  // the client closed the connection
    unsigned bad_in_a_row_ = 0;
    std::unique_ptr<Store> store_;
    std::unique_ptr<Mailbox> mailbox_;
    std::string selected_name_;
    size_t reported_recent_ = 0;  // the last "* n RECENT" sent for the selected mailbox
    bool expunged_since_recent_ = false;  // RECENT may have dropped since it was sent
    size_t announced_keywords_ = 0;       // keywords the client has had in a FLAGS response
    void report_recent();
    MessageCache message_cache_;
    SortKeyCache sort_keys_;
    std::vector<Uid> saved_result_;
    std::unique_ptr<AppendTransaction> append_;
    std::vector<std::string> enabled_;
    // CONDSTORE/QRESYNC state of the selected mailbox (modseq_view.cpp).
    void open_modseq();
    void flush_vanished();
    void flush_flag_changes();
    void note_view();
    std::unique_ptr<ModseqFile> modseq_;
    std::vector<Uid> view_uids_;       // the client's UIDs in sequence order (QRESYNC)
    std::vector<Uid> vanished_;        // expunges not yet written as VANISHED
    std::vector<Uid> flag_changes_;    // flag changes to write after the modseq sync
    bool defer_flags_ = false;
};

}  // namespace mail::imapd
