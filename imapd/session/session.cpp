#include "imapd/session/session.hpp"

#include <malloc.h>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <strings.h>

#include "imapd/auth/login_service.hpp"
#include "imapd/commands/command_table.hpp"
#include "imapd/protocol/flag_format.hpp"
#include "imapd/protocol/parse_error.hpp"
#include "imapd/session/protocol_mode.hpp"
#include "util/error.hpp"

namespace mail::imapd {

namespace {

constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kFlushAt = 64 * 1024;  // large responses go out as they grow

// RFC 5530 response codes for the library's errors.
std::string no_text(const MailError& e) {
    const char* code = "";
    switch (e.kind()) {
    case ErrorKind::NotFound: code = "[NONEXISTENT] "; break;
    case ErrorKind::Exists: code = "[ALREADYEXISTS] "; break;
    case ErrorKind::Invalid: code = "[CANNOT] "; break;
    case ErrorKind::Permission: code = "[NOPERM] "; break;
    case ErrorKind::Busy: code = "[INUSE] "; break;
    case ErrorKind::NoSpace: code = "[OVERQUOTA] "; break;
    case ErrorKind::TooBig: code = "[TOOBIG] "; break;
    case ErrorKind::Io: code = "[SERVERBUG] "; break;
    case ErrorKind::Corrupt: code = "[CORRUPTION] "; break;
    }
    std::string text = e.what();
    if (!text.empty() && text[0] == '[') return text;  // already has a code
    return code + text;
}

}  // namespace

Session::Session(Transport& transport, SessionOptions options, std::span<const CommandSpec> table)
    : transport_(&transport),
      options_(std::move(options)),
      table_(table.empty() ? command_table() : table),
      reader_(options_.limits) {
    enableable = {"CONDSTORE", "QRESYNC", "UTF8=ACCEPT"};
    if (capabilities().find(" IMAP4rev2") != std::string::npos) enableable.emplace_back(kImap4rev2);
}

Session::~Session() = default;

void Session::greet() {
    if (!options_.user.empty()) {
        state_ = State::Authenticated;
        untagged("PREAUTH [CAPABILITY " + capabilities() + "] Logged in as " + options_.user);
    } else {
        untagged("OK [CAPABILITY " + capabilities() + "] IMAP server ready");
    }
    flush();
}

void Session::run() {
    while (state_ != State::Logout) {
        switch (reader_.next()) {
        case CommandReader::Event::NeedInput:
            if (!fill_input()) state_ = State::Logout;
            break;
        case CommandReader::Event::Continuation:
            continuation("Ready for literal data");
            break;
        case CommandReader::Event::Error: {
            append_.reset();
            Reply r{reader_.error_status() == "NO" ? Reply::Status::No : Reply::Status::Bad,
                    reader_.error_text()};
            respond(reader_.error_tag(), r, false);
            break;
        }
        case CommandReader::Event::Command:
            dispatch(reader_.command());
            break;
        case CommandReader::Event::AppendMessage:
            on_append_message();
            break;
        case CommandReader::Event::AppendDone:
            on_append_done();
            break;
        }
    }
    flush();
}

bool Session::fill_input() {
    flush();
    if (gone_) return false;
    using Clock = std::chrono::steady_clock;
    auto limit = state_ == State::NotAuthenticated ? options_.login_timeout : options_.autologout;
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(limit).count();
    const auto logout_at = Clock::now() + std::chrono::milliseconds(ms);
    for (;;) {
        // The mailbox may owe the file a write (unix lazy flag writes) before
        // the client's next command: wake for it, then wait on.
        int64_t due = mailbox_ ? mailbox_->checkpoint_due_ms() : -1;
        int64_t left = ms > 0 ? std::chrono::duration_cast<std::chrono::milliseconds>(logout_at - Clock::now()).count()
                              : -1;
        if (ms > 0 && left < 0) left = 0;
        bool for_checkpoint = due >= 0 && (left < 0 || due < left);
        int64_t wait_ms = for_checkpoint ? due : left;
        if (transport_->wait(-1, static_cast<int>(std::min<int64_t>(wait_ms, INT32_MAX))) != Transport::Wait::Timeout)
            return read_some();
        if (!for_checkpoint) break;
        try {
            mailbox_->checkpoint();
        } catch (const std::exception&) {
            // Tried again at the next command or wait; the changes stay pending.
        }
    }
    untagged("BYE Autologout; idle for too long");
    flush();
    return false;
}

bool Session::read_some() {
    char buf[kReadChunk];
    size_t n = transport_->read(buf, sizeof buf);
    if (n == 0) {
        gone_ = true;
        state_ = State::Logout;
        return false;
    }
    reader_.feed(std::string_view(buf, n));
    return true;
}

void Session::write(std::string_view bytes) {
    out_ += bytes;
    if (out_.size() >= kFlushAt) flush();
}

void Session::untagged(std::string_view text) {
    out_ += "* ";
    out_ += text;
    out_ += "\r\n";
    if (out_.size() >= kFlushAt) flush();
}

void Session::continuation(std::string_view text) {
    out_ += "+ ";
    out_ += text;
    out_ += "\r\n";
    flush();
}

void Session::flush() {
    if (out_.empty()) return;
    if (!gone_ && !transport_->write(out_)) {
        gone_ = true;
        state_ = State::Logout;
    }
    out_.clear();
}

std::string Session::capabilities() const {
    std::string caps = "IMAP4rev1 LITERAL+";
    if (state_ == State::NotAuthenticated)
        caps += options_.login ? options_.login->capabilities() : " LOGINDISABLED";
    for (const CommandSpec& spec : table_) {
        if (spec.capability.empty()) continue;
        caps += ' ';
        caps += spec.capability;
        // RFC 7889: the APPEND limit is max_message_size (a 32-bit number).
        if (spec.capability.ends_with("APPENDLIMIT"))
            caps += "=" + std::to_string(std::min<uint64_t>(options_.limits.max_message, 4294967295u));
    }
    // RFC 9051: IMAP4rev2 beside IMAP4rev1 once everything it includes is here.
    if (missing_rev2_requirements(caps).empty()) caps.insert(std::string_view("IMAP4rev1").size(), " IMAP4rev2");
    return caps;
}

bool Session::enabled(std::string_view extension) const {
    return std::any_of(enabled_.begin(), enabled_.end(), [&](const std::string& e) {
        return e.size() == extension.size() &&
               strncasecmp(e.data(), extension.data(), e.size()) == 0;
    });
}

void Session::enable(std::string_view extension) {
    bool turns_on_condstore = !condstore() && strcasecmp(std::string(extension).c_str(), "CONDSTORE") == 0;
    if (!enabled(extension)) enabled_.emplace_back(extension);
    // QRESYNC implies CONDSTORE (RFC 7162 3.2.3).
    if (strcasecmp(std::string(extension).c_str(), "QRESYNC") == 0) enable("CONDSTORE");
    // IMAP4rev2 has UTF-8 mailbox names and headers as UTF8=ACCEPT gives them (RFC 9051 5.1).
    if (strcasecmp(std::string(extension).c_str(), "IMAP4rev2") == 0) enable("UTF8=ACCEPT");
    if (mailbox_ && condstore() && !modseq_) open_modseq();
    // RFC 7162 3.1: the first CONDSTORE-enabling command in the selected
    // state tells the client the mailbox's HIGHESTMODSEQ, before its own
    // responses (as Dovecot does, ENABLE included).
    if (turns_on_condstore && mailbox_ && modseq_)
        untagged("OK [HIGHESTMODSEQ " + std::to_string(modseq_->highest()) + "] Highest");
}

namespace {

size_t count_recent(const Mailbox& box) {
    size_t n = 0;
    for (size_t i = 0; i < box.count(); ++i)
        if (box.at(i).flags & kRecent) ++n;
    return n;
}

}  // namespace

void Session::select(std::unique_ptr<Mailbox> mailbox, std::string name) {
    sort_keys_.clear();
    saved_result_.clear();
    message_cache_.clear();
    mailbox_ = std::move(mailbox);
    selected_name_ = mailbox_ ? std::move(name) : std::string();
    reported_recent_ = mailbox_ ? count_recent(*mailbox_) : 0;  // SELECT reports it
    expunged_since_recent_ = false;
    announced_keywords_ = mailbox_ ? mailbox_->keywords().size() : 0;  // SELECT's FLAGS
    state_ = mailbox_ ? State::Selected : State::Authenticated;
    modseq_.reset();
    vanished_.clear(), flag_changes_.clear(), view_uids_.clear();
    if (mailbox_ && condstore()) open_modseq();
    // An open's temporary tables (a maildir's name map and parsed uidlist, an
    // mbox's scan buffers) and the previous mailbox outweigh what stays;
    // glibc keeps freed heap pages unless asked, and a session may idle for
    // hours after SELECT (issue 10: idle RSS at most Dovecot's).
    ::malloc_trim(0);
}

void Session::unselect() {
    sort_keys_.clear();
    saved_result_.clear();
    message_cache_.clear();
    mailbox_.reset();
    modseq_.reset();
    vanished_.clear(), flag_changes_.clear(), view_uids_.clear();
    selected_name_.clear();
    if (state_ == State::Selected) state_ = State::Authenticated;
}

void Session::sync_mailbox(bool allow_expunge) {
    if (!mailbox_) return;
    try {
        // New mail in the system spool moves into a selected INBOX at every
        // check (UW's behaviour); a spool locked for more than a second waits
        // for the next one.
        if (store_) store_->snarf_spool_into(selected_name_, *mailbox_, 1);
        if (modseq_) {
            // Under the modseq lock, so that the changes this sync finds get
            // their modseq before they are reported with it.
            ModseqFile::Guard guard = modseq_->lock();
            defer_flags_ = true;
            mailbox_->sync(*this, allow_expunge);
            modseq_->sync(*mailbox_);
        } else {
            mailbox_->sync(*this, allow_expunge);
        }
    } catch (const MailError& e) {
        untagged("OK [ALERT] " + std::string(e.what()));
    }
    defer_flags_ = false;
    flush_vanished();
    report_recent();
    flush_flag_changes();
    note_view();
}

// RFC 3501 7.3.2: RECENT goes with a change of the mailbox size, expunges
// included (Dovecot sends it after EXPUNGE, VANISHED and MOVE too).
void Session::report_recent() {
    if (!expunged_since_recent_ || !mailbox_) return;
    expunged_since_recent_ = false;
    size_t recent = count_recent(*mailbox_);
    if (recent != reported_recent_ && !rev2()) untagged(std::to_string(recent) + " RECENT");
    reported_recent_ = recent;
}

void Session::expunged(size_t seq) {
    expunged_since_recent_ = true;
    if (qresync() && seq >= 1 && seq <= view_uids_.size()) {
        vanished_.push_back(view_uids_[seq - 1]);
        view_uids_.erase(view_uids_.begin() + static_cast<ptrdiff_t>(seq - 1));
        return;
    }
    untagged(std::to_string(seq) + " EXPUNGE");
}

// New messages may be \Recent here (the first session to see them): RECENT
// follows EXISTS when the count changed, as RFC 3501 7.3.2 and Dovecot do.
void Session::exists(size_t count) {
    flush_vanished();
    untagged(std::to_string(count) + " EXISTS");
    if (!mailbox_) return;
    expunged_since_recent_ = false;
    size_t recent = count_recent(*mailbox_);
    if (recent != reported_recent_ && !rev2()) untagged(std::to_string(recent) + " RECENT");
    reported_recent_ = recent;
}

void Session::flags_changed(size_t seq) {
    if (!mailbox_ || seq == 0 || seq > mailbox_->count()) return;
    const MessageInfo& m = mailbox_->at(seq - 1);
    if (defer_flags_) {  // written with its new MODSEQ after the modseq sync
        flag_changes_.push_back(m.uid);
        return;
    }
    flush_vanished();
    // RFC 3501 7.2.6: a keyword another session created is announced in
    // FLAGS before a FETCH shows it (whether or not the driver said so).
    if (mailbox_->keywords().size() > announced_keywords_) keywords_changed();
    // UID only with CONDSTORE or QRESYNC on (RFC 7162 3.2.4 requires it under
    // QRESYNC); otherwise "* n FETCH (FLAGS (...))", as Dovecot sends it.
    std::string line = std::to_string(seq) + " FETCH (";
    if (modseq_ || condstore() || qresync()) line += "UID " + std::to_string(m.uid) + " ";
    line += "FLAGS ";
    append_flag_list(line, visible_flags(m.flags, rev2()), m.keywords, mailbox_->keywords());
    if (modseq_) line += " MODSEQ (" + std::to_string(modseq_->modseq_of(m.uid)) + ")";
    line += ')';
    untagged(line);
}

void Session::keywords_changed() {
    if (!mailbox_) return;
    announced_keywords_ = mailbox_->keywords().size();
    std::string line = "FLAGS ";
    append_flag_list(line, kStorableFlags, ~KeywordMask{0}, mailbox_->keywords());
    untagged(line);
    if (mailbox_->read_only()) return;
    // PERMANENTFLAGS lists the new keywords too, as Dovecot sends it.
    line = "OK [PERMANENTFLAGS ";
    append_flag_list(line, kStorableFlags, ~KeywordMask{0}, mailbox_->keywords());
    line.insert(line.size() - 1, " \\*");  // the list always holds the system flags
    line += "] Flags permitted.";
    untagged(line);
}

const CommandSpec* Session::find(std::string_view name) const {
    for (const CommandSpec& spec : table_)
        if (spec.name == name) return &spec;
    return nullptr;
}

Reply Session::check_allowed(const CommandSpec* spec, const Command& cmd) const {
    if (!spec) return Reply::bad("Unknown command " + cmd.name.substr(0, 40));
    if (cmd.uid && !(spec->flags & kUidForm))
        return Reply::bad("UID " + cmd.name + " is not a command");
    if (spec->states & static_cast<unsigned>(state_)) return Reply::ok({});
    switch (state_) {
    case State::NotAuthenticated: return Reply::bad(cmd.name + " is not allowed before login");
    case State::Authenticated:
        if (spec->states == kNotAuthenticated) return Reply::bad("Already logged in");
        return Reply::bad(cmd.name + " needs a selected mailbox");
    default: return Reply::bad(cmd.name + " is not allowed now");
    }
}

void Session::dispatch(const Command& cmd) {
    const CommandSpec* spec = find(cmd.name);
    Reply reply = check_allowed(spec, cmd);
    bool allow_expunge = true;
    // A command that needs a selected mailbox, sent with none selected (a
    // client pipelining past a failed SELECT): BAD, but not counted towards
    // the BYE, as Dovecot does.
    bool count_bad = !(spec && state_ == State::Authenticated && spec->states == kSelected);
    if (reply.status == Reply::Status::Ok) {
        if (!spec->handler) {
            reply = Reply::bad(cmd.name + " needs a message literal");
        } else {
            CommandContext ctx{*this, cmd, cmd.args(options_.limits)};
            try {
                reply = spec->handler(ctx);
            } catch (const ParseError& e) {
                reply = Reply::bad(e.what());
            } catch (const MailError& e) {
                reply = Reply::no(no_text(e));
            }
        }
        allow_expunge = cmd.uid || !(spec->flags & kUsesSequenceNumbers);
    }
    respond(cmd.tag, reply, allow_expunge, count_bad);
}

void Session::respond(const std::string& tag, const Reply& reply, bool allow_expunge, bool count_bad) {
    if (state_ == State::Selected && reply.status != Reply::Status::Bad)
        sync_mailbox(allow_expunge);
    out_ += tag;
    out_ += ' ';
    out_ += reply.status_word();
    out_ += ' ';
    out_ += reply.text;
    out_ += "\r\n";
    if (reply.status == Reply::Status::Bad && count_bad) {
        if (++bad_in_a_row_ >= options_.max_bad_commands && state_ != State::Logout) {
            untagged("BYE Too many invalid commands");
            state_ = State::Logout;
        }
    } else {
        bad_in_a_row_ = 0;
    }
    // Pipelined commands' responses go out together, when input runs dry.
    if (!reader_.has_buffered_input() || out_.size() >= kFlushAt) flush();
    if (pending_layer_) {  // COMPRESS: its OK went out uncompressed
        flush();
        layer_ = std::move(pending_layer_);
        transport_ = layer_.get();
    }
}

void Session::on_append_message() {
    const AppendMessage& msg = reader_.append();
    const std::string tag = msg.tag;
    if (msg.first) {
        append_.reset();
        Command as_command;
        as_command.name = "APPEND";
        const CommandSpec* spec = find("APPEND");
        Reply allowed = check_allowed(spec, as_command);
        if (allowed.status == Reply::Status::Ok && !spec->append)
            allowed = Reply::no("[CANNOT] APPEND is not available");
        if (allowed.status != Reply::Status::Ok) {
            reader_.reject_message();
            respond(tag, allowed, true);
            return;
        }
        try {
            append_ = spec->append(*this, msg);
        } catch (const MailError& e) {
            reader_.reject_message();
            respond(tag, Reply::no(no_text(e)), true);
            return;
        } catch (const ParseError& e) {  // e.g. a name that is not UTF-8 (RFC 6855)
            reader_.reject_message();
            respond(tag, Reply::bad(e.what()), true);
            return;
        }
    }
    try {
        if (!append_) throw MailError(ErrorKind::Invalid, "APPEND was refused");
        append_->begin(msg);
    } catch (const MailError& e) {
        append_.reset();
        reader_.reject_message();
        respond(tag, Reply::no(no_text(e)), true);
        return;
    } catch (const ParseError& e) {
        append_.reset();
        reader_.reject_message();
        respond(tag, Reply::bad(e.what()), true);
        return;
    }
    if (reader_.accept_message()) continuation("Ready for message data");
    try {
        stream_message();
        if (append_) append_->end_message();
    } catch (const MailError& e) {
        append_.reset();
        reader_.skip_message();
        respond(tag, Reply::no(no_text(e)), true);
    }
}

// Moves the accepted message from the client to the transaction in pieces.
void Session::stream_message() {
    while (reader_.message_remaining() > 0) {
        std::string_view bytes = reader_.message_bytes();
        if (!bytes.empty()) {
            append_->write(bytes);
        } else if (!fill_input()) {
            append_.reset();
            state_ = State::Logout;
            return;
        }
    }
}

void Session::on_append_done() {
    const std::string tag = reader_.append().tag;
    Reply reply;
    try {
        reply = append_ ? append_->finish() : Reply::no("APPEND was refused");
    } catch (const MailError& e) {
        reply = Reply::no(no_text(e));
    }
    append_.reset();
    respond(tag, reply, true);
}

}  // namespace mail::imapd
