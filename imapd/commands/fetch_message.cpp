#include "imapd/commands/fetch_message.hpp"

#include "cache/header_fields.hpp"

#include "imapd/commands/fetch_binary.hpp"
#include "imapd/commands/fetch_body.hpp"
#include "imapd/protocol/flag_format.hpp"
#include "imapd/session/protocol_mode.hpp"
#include "imapd/session/session.hpp"
#include "mailbox/mailbox_id.hpp"
#include "message/date.hpp"
#include "message/envelope.hpp"
#include "message/header.hpp"
#include "mime/bodystructure.hpp"
#include "mime/parser.hpp"
#include "util/error.hpp"

namespace mail::imapd {

namespace {

// The end of the blank line that ends a header in header[from..], where
// `from` is at most three bytes before the new data; npos if none yet.
size_t blank_line_end(std::string_view header, size_t from) {
    if (from == 0) {  // a message that starts with the blank line has no header
        if (header.starts_with("\n")) return 1;
        if (header.starts_with("\r\n")) return 2;
    }
    for (size_t lf = header.find('\n', from); lf != std::string_view::npos; lf = header.find('\n', lf + 1)) {
        if (lf + 1 < header.size() && header[lf + 1] == '\n') return lf + 2;
        if (lf + 2 < header.size() && header[lf + 1] == '\r' && header[lf + 2] == '\n') return lf + 3;
    }
    return std::string_view::npos;
}

}  // namespace

std::string read_header(const MessageContent& content, size_t max_bytes) {
    std::string header;
    constexpr size_t kChunk = 16 * 1024;
    while (header.size() < max_bytes) {
        size_t old = header.size();
        size_t want = std::min(kChunk, max_bytes - old);
        header.resize(old + want);
        size_t got = content.read(old, header.data() + old, want);
        header.resize(old + got);
        if (got == 0) break;
        size_t end = blank_line_end(header, old >= 3 ? old - 3 : 0);
        if (end != std::string_view::npos) {
            header.resize(end);
            break;
        }
    }
    return header;
}

MessageFetcher::MessageFetcher(Session& session, Mailbox& mailbox, const FetchPlan& plan)
    : session_(session), mailbox_(mailbox), plan_(plan), cache_(session.message_cache()) {}

void MessageFetcher::load_content(size_t index) {
    if (!content_) content_ = mailbox_.content(index);
}

void MessageFetcher::load_structure(size_t index) {
    if (structure_) return;
    const Uid uid = mailbox_.at(index).uid;
    structure_ = cache_.structure(uid);
    if (!structure_) {
        load_content(index);
        structure_ = std::make_shared<const MimePart>(parse_message(*content_));
        cache_.put_structure(uid, structure_);
    }
}

// ENVELOPE, BODY and BODYSTRUCTURE from the cache; what it lacks is computed
// (with the header fields SEARCH and SORT use, which cost nothing more) and
// added to it.
void MessageFetcher::load_cached_fields(size_t index) {
    const MessageInfo& info = mailbox_.at(index);
    const MessageKey key{info.uid, info.size, mailbox_.cache_key_date(index)};
    unsigned wanted = (plan_.needs_envelope ? kCacheEnvelope : 0u) |
                      (plan_.needs_bodystructure ? kCacheBody | kCacheBodyStructure : 0u);
    CachedFields known = cache_.fields(key, wanted);
    CachedFields computed;
    if (plan_.needs_envelope) {
        if (known.envelope) {
            envelope_ = std::move(*known.envelope);
        } else {
            load_content(index);
            std::string header = read_header(*content_, kMaxEnvelopeHeader);
            envelope_ = imap_envelope(header);
            computed.envelope = envelope_;
            computed.header_fields = select_cached_header_fields(header);
            computed.sent_date = sent_date_of(header);
        }
    }
    if (plan_.needs_bodystructure) {
        if (known.body && known.bodystructure) {
            body_ = std::move(*known.body);
            bodystructure_ = std::move(*known.bodystructure);
        } else {
            load_structure(index);
            body_ = body_structure(*structure_, false);
            bodystructure_ = body_structure(*structure_, true);
            computed.body = body_;
            computed.bodystructure = bodystructure_;
        }
    }
    if (!computed.empty()) cache_.add_fields(key, computed);
}

void MessageFetcher::prepare(size_t index) {
    content_.reset();
    structure_.reset();
    envelope_.clear();
    body_.clear();
    bodystructure_.clear();
    seen_now_ = false;
    if (plan_.needs_content) load_content(index);
    if (plan_.needs_structure) load_structure(index);
    if (structure_) check_binary_items(*structure_, plan_.items);  // [UNKNOWN-CTE] before any output
    if (plan_.needs_envelope || plan_.needs_bodystructure) load_cached_fields(index);
    for (const FetchItem& item : plan_.items)  // a driver may read the date on demand (maildir)
        if (item.kind == FetchItem::Kind::InternalDate) {
            mailbox_.dated(index);
            break;
        }
    const MessageInfo& info = mailbox_.at(index);
    if (plan_.sets_seen && !mailbox_.read_only() && !(info.flags & kSeen)) {
        seen_now_ = mailbox_.change_flags(index, FlagChange::add(kSeen));
    }
}

bool MessageFetcher::fetch(size_t index) {
    try {
        prepare(index);
    } catch (const MailError& e) {
        if (e.kind() == ErrorKind::NotFound) return false;
        throw;
    }
    const MessageInfo& info = mailbox_.at(index);
    session_.write("* " + std::to_string(index + 1) + " FETCH (");
    bool first = true;
    for (size_t i = 0; i <= plan_.items.size(); ++i) {
        if (i == plan_.implicit_flags_at && seen_now_ && !plan_.has_flags) {
            if (!first) session_.write(" ");
            write_flags(info);
            first = false;
        }
        if (i == plan_.items.size()) break;
        if (!first) session_.write(" ");
        write_item(plan_.items[i], info);
        first = false;
    }
    session_.write(")\r\n");
    return true;
}

void MessageFetcher::write_flags(const MessageInfo& info) {
    std::string out = "FLAGS ";
    append_flag_list(out, visible_flags(info.flags, session_.rev2()), info.keywords, mailbox_.keywords());
    session_.write(out);
}

void MessageFetcher::write_item(const FetchItem& item, const MessageInfo& info) {
    using Kind = FetchItem::Kind;
    std::string out = item.response_name();
    out += ' ';
    SectionSpec whole;  // for the RFC822 forms
    switch (item.kind) {
    case Kind::Flags: write_flags(info); return;
    case Kind::Uid: out += std::to_string(info.uid); break;
    case Kind::InternalDate: {
        // date-day-fixed may be " 4" or "04" (RFC 3501 9); Dovecot sends "04".
        std::string date = format_imap_datetime(mail::DateTime{info.internal_date, info.zone_minutes});
        if (!date.empty() && date[0] == ' ') date[0] = '0';
        out += '"' + date + '"';
        break;
    }
    case Kind::Rfc822Size: out += std::to_string(info.size); break;
    case Kind::Envelope: out += envelope_; break;
    case Kind::Body: out += body_; break;
    case Kind::BodyStructure: out += bodystructure_; break;
    case Kind::BodySection:
        session_.write(out);
        write_section_literal(session_, *content_, *structure_, item.section, item.partial);
        return;
    case Kind::Rfc822:
    case Kind::Rfc822Header:
    case Kind::Rfc822Text:
        whole.text = item.kind == Kind::Rfc822         ? SectionSpec::Text::All
                     : item.kind == Kind::Rfc822Header ? SectionSpec::Text::Header
                                                       : SectionSpec::Text::Text;
        session_.write(out);
        write_section_literal(session_, *content_, *structure_, whole, std::nullopt);
        return;
    case Kind::BinarySection:
        session_.write(out);
        write_binary_literal(session_, *content_, *structure_, item.section, item.partial);
        return;
    case Kind::BinarySize: out += std::to_string(binary_size(*content_, *structure_, item.section)); break;
    case Kind::EmailId:
        if (mailbox_id_.empty()) mailbox_id_ = mailbox_id(*session_.store(), session_.selected_name(), mailbox_);
        out += "(" + email_id(mailbox_id_, info.uid) + ")";
        break;
    case Kind::ThreadId: out += "NIL"; break;  // threads are not tracked (RFC 8474 5.2 allows NIL)
    case Kind::ModSeq: {  // cmd_fetch asks for it only when the mailbox has modseqs
        ModseqFile* modseq = session_.modseq();
        out += "(" + std::to_string(modseq ? std::max<uint64_t>(1, modseq->modseq_of(info.uid)) : 0) + ")";
        break;
    }
    }
    session_.write(out);
}

}  // namespace mail::imapd
