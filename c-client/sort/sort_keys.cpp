#include "sort/sort_keys.hpp"

#include <unicase.h>
#include <uninorm.h>
#include <unistr.h>

#include <cstdlib>

#include "cache/header_fields.hpp"
#include "message/address.hpp"
#include "message/date.hpp"
#include "message/header.hpp"
#include "message/rfc2047.hpp"
#include "message/charset.hpp"
#include "search/message_text.hpp"
#include "sort/base_subject.hpp"
#include "util/error.hpp"

namespace mail {

namespace {

// Sort strings are bounded: a longer subject or name sorts by its start.
constexpr size_t kMaxKeyBytes = 1024;

}  // namespace

std::string unicode_casemap(std::string_view text) {
    std::string utf8 = sanitize_utf8(text.substr(0, kMaxKeyBytes));
    std::u32string titled;
    titled.reserve(utf8.size());
    const auto* p = reinterpret_cast<const uint8_t*>(utf8.data());
    const uint8_t* end = p + utf8.size();
    while (p < end) {
        ucs4_t c = 0;
        int n = u8_mbtouc(&c, p, static_cast<size_t>(end - p));
        p += n > 0 ? n : 1;
        titled.push_back(static_cast<char32_t>(uc_totitle(c)));
    }
    size_t decomposed_length = 0;
    uint32_t* decomposed = u32_normalize(UNINORM_NFKD, reinterpret_cast<const uint32_t*>(titled.data()),
                                         titled.size(), nullptr, &decomposed_length);
    if (!decomposed) return utf8;
    size_t out_length = 0;
    uint8_t* out = u32_to_u8(decomposed, decomposed_length, nullptr, &out_length);
    free(decomposed);
    if (!out) return utf8;
    std::string result(reinterpret_cast<const char*>(out), out_length);
    free(out);
    return result;
}

namespace {

std::string folded(std::string_view utf8) { return unicode_casemap(utf8); }

struct FirstAddress {
    std::string mailbox;
    std::string display;  // RFC 5957: the decoded display name, else the addr-spec
};

FirstAddress first_address(std::string_view value) {
    FirstAddress out;
    // The first element even when it starts a group, whose "mailbox" is the
    // group's name, as Dovecot sorts "To: undisclosed-recipients:;".
    std::vector<Address> list = parse_address_list(value);
    if (list.empty()) return out;
    const Address* a = &list.front();
    if (a->mailbox && *a->mailbox != kMissingMailbox) out.mailbox = folded(*a->mailbox);
    std::string name = a->name ? collapse_whitespace(decode_rfc2047(*a->name)) : std::string();
    out.display = folded(name.empty() ? address_spec(*a) : name);
    return out;
}

}  // namespace

std::vector<std::string> parse_msg_ids(std::string_view value) {
    std::vector<std::string> ids;
    size_t i = 0;
    while ((i = value.find('<', i)) != std::string_view::npos) {
        size_t end = value.find('>', i + 1);
        if (end == std::string_view::npos) break;
        size_t next_open = value.find('<', i + 1);
        if (next_open < end) {  // "<a <b@c>": the inner one
            i = next_open;
            continue;
        }
        std::string id;
        for (char c : value.substr(i + 1, end - i - 1))
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') id += c;
        if (!id.empty()) ids.push_back(std::move(id));
        i = end + 1;
    }
    return ids;
}

SortKeys extract_sort_keys(std::string_view header, const MessageInfo& info, unsigned parts) {
    SortKeys k;
    k.parts = parts;
    k.sent = info.internal_date;
    const bool want_sent = parts & kSortSent, want_subject = parts & kSortSubject,
               want_addresses = parts & kSortAddresses, want_ids = parts & kSortThreadIds;
    bool have_date = false, have_subject = false, have_from = false, have_to = false, have_cc = false,
         have_id = false, have_refs = false;
    std::vector<std::string> in_reply_to;
    HeaderParser fields(header);
    while (auto f = fields.next()) {
        auto is = [&](std::string_view name) { return header_name_equals(f->name, name); };
        if (want_sent && !have_date && is("Date")) {
            have_date = true;
            if (auto d = parse_rfc5322_date(f->unfolded())) k.sent = d->utc;
        } else if (want_subject && !have_subject && is("Subject")) {
            have_subject = true;
            BaseSubject b = base_subject(f->unfolded());
            k.subject = folded(b.text);
            k.reply_or_forward = b.reply_or_forward;
        } else if (want_addresses && !have_from && is("From")) {
            have_from = true;
            FirstAddress a = first_address(f->unfolded());
            k.from = std::move(a.mailbox);
            k.display_from = std::move(a.display);
        } else if (want_addresses && !have_to && is("To")) {
            have_to = true;
            FirstAddress a = first_address(f->unfolded());
            k.to = std::move(a.mailbox);
            k.display_to = std::move(a.display);
        } else if (want_addresses && !have_cc && is("Cc")) {
            have_cc = true;
            k.cc = first_address(f->unfolded()).mailbox;
        } else if (want_ids && !have_id && is("Message-ID")) {
            have_id = true;
            std::vector<std::string> ids = parse_msg_ids(f->unfolded());
            if (!ids.empty()) k.message_id = std::move(ids.front());
        } else if (want_ids && !have_refs && is("References")) {
            have_refs = true;
            k.references = parse_msg_ids(f->unfolded());
        } else if (want_ids && in_reply_to.empty() && is("In-Reply-To")) {
            in_reply_to = parse_msg_ids(f->unfolded());
        }
    }
    if (k.references.empty() && !in_reply_to.empty()) k.references.push_back(std::move(in_reply_to.front()));
    return k;
}

namespace {

// Copies the groups `parts` of `from` into `to`.
void merge_parts(SortKeys& to, SortKeys&& from, unsigned parts) {
    if (parts & kSortSent) to.sent = from.sent;
    if (parts & kSortSubject) {
        to.subject = std::move(from.subject);
        to.reply_or_forward = from.reply_or_forward;
    }
    if (parts & kSortAddresses) {
        to.from = std::move(from.from);
        to.to = std::move(from.to);
        to.cc = std::move(from.cc);
        to.display_from = std::move(from.display_from);
        to.display_to = std::move(from.display_to);
    }
    if (parts & kSortThreadIds) {
        to.message_id = std::move(from.message_id);
        to.references = std::move(from.references);
    }
    to.parts |= parts;
}

}  // namespace

std::vector<const SortKeys*> SortKeyCache::keys(Mailbox& mailbox, const std::vector<size_t>& indexes,
                                                MessageCache* cache, unsigned parts) {
    std::vector<const SortKeys*> out;
    out.reserve(indexes.size());
    if (by_uid_.empty()) by_uid_.reserve(indexes.size());
    for (size_t index : indexes) {
        const MessageInfo& info = mailbox.at(index);
        SortKeys& k = by_uid_[info.uid];
        unsigned missing = parts & ~k.parts;
        if (missing) {
            try {
                if (missing == kSortSent) {
                    // The date alone: the cache's parsed sent date, no header.
                    int64_t sent = cached_sent_date(mailbox, index, cache);
                    k.sent = sent == kNoSentDate ? mailbox.dated(index).internal_date : sent;
                    k.parts |= kSortSent;
                } else {
                    // Every field extract_sort_keys looks at is a cached one.
                    merge_parts(k, extract_sort_keys(cached_header_fields(mailbox, index, cache), info, missing),
                                missing);
                    // No Date: the internal date, which the driver may read on demand.
                    if ((missing & kSortSent) && k.sent == kUnknownDate) k.sent = mailbox.dated(index).internal_date;
                }
            } catch (const MailError& e) {
                // Removed by another program since the last sync: it sorts by
                // what the index knows until the expunge is reported.
                if (e.kind() != ErrorKind::NotFound) throw;
                SortKeys none;
                none.sent = info.internal_date;  // kUnknownDate (first) when the driver had not read it
                merge_parts(k, std::move(none), missing);
            }
        }
        out.push_back(&k);
    }
    return out;
}

}  // namespace mail
