#include "tools/mailtool/mailbox_copy.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <memory>

#include "mailbox/copy.hpp"
#include "tools/mailtool/mailbox_spec.hpp"
#include "util/error.hpp"

namespace mail::tool {

template <typename Out>
void ContentNormalizer::feed(std::string_view in, Out&& out) {
    for (char c : in) {
        if (pending_cr_) {
            pending_cr_ = false;
            if (c != '\n') put('\r', out);  // a bare CR stays
        }
        if (c == '\r') pending_cr_ = true;
        else put(c, out);
    }
}

template <typename Out>
void ContentNormalizer::put(char c, Out& out) {
    if (at_start_) {
        head_ += c;
        static constexpr std::string_view kFrom = "From ";
        size_t quotes = head_.find_first_not_of('>');
        std::string_view rest = quotes == std::string::npos ? std::string_view() : std::string_view(head_).substr(quotes);
        bool may_be = rest.size() <= kFrom.size() && kFrom.substr(0, rest.size()) == rest;
        if (may_be && c != '\n' && rest.size() < kFrom.size()) return;  // undecided yet
        if (may_be && quotes > 0 && rest == kFrom) out(std::string_view(head_).substr(1));
        else out(std::string_view(head_));
        head_.clear();
    } else {
        out(std::string_view(&c, 1));
    }
    last_ = c;
    at_start_ = c == '\n';
}

template <typename Out>
void ContentNormalizer::finish(Out&& out) {
    if (pending_cr_) {
        pending_cr_ = false;
        out(std::string_view("\r", 1));
        last_ = '\r';
    }
    if (!head_.empty()) {
        out(std::string_view(head_));
        last_ = head_.back();
        head_.clear();
    }
    if (last_ != '\n') out(std::string_view("\n", 1));
    last_ = '\n';
    at_start_ = true;
}

std::string normalize_content(std::string_view message) {
    std::string out;
    ContentNormalizer n;
    auto put = [&](std::string_view s) { out += s; };
    n.feed(message, put);
    n.finish(put);
    return out;
}

namespace {

struct DigestCtx {
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx{EVP_MD_CTX_new(), EVP_MD_CTX_free};
    DigestCtx() {
        if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
            throw MailError(ErrorKind::Io, "cannot start SHA-256");
    }
    void update(std::string_view s) { EVP_DigestUpdate(ctx.get(), s.data(), s.size()); }
    std::string hex() {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned len = 0;
        EVP_DigestFinal_ex(ctx.get(), md, &len);
        static const char digits[] = "0123456789abcdef";
        std::string s;
        for (unsigned i = 0; i < len; ++i) {
            s += digits[md[i] >> 4];
            s += digits[md[i] & 15];
        }
        return s;
    }
};

}  // namespace

MessageDigest digest_message(Mailbox& box, size_t index) {
    const MessageInfo& m = box.dated(index);
    MessageDigest d;
    d.uid = m.uid;
    d.flags = m.flags & kStorableFlags;
    for (size_t b = 0; b < box.keywords().size() && b < kMaxKeywords; ++b)
        if (m.keywords & (KeywordMask{1} << b)) d.keywords.push_back(box.keywords()[b]);
    std::sort(d.keywords.begin(), d.keywords.end());
    d.internal_date = m.internal_date;
    MessageContent content = box.content(index);
    DigestCtx sha;
    ContentNormalizer norm;
    auto put = [&](std::string_view s) { sha.update(s); };
    std::string buf(64 * 1024, '\0');
    uint64_t off = 0;
    while (size_t n = content.read(off, buf.data(), buf.size())) {
        norm.feed(std::string_view(buf.data(), n), put);
        off += n;
    }
    norm.finish(put);
    d.content_bytes = off;
    d.content_sha256 = sha.hex();
    return d;
}

std::vector<MessageDigest> digest_mailbox(Mailbox& box) {
    std::vector<MessageDigest> out;
    out.reserve(box.count());
    for (size_t i = 0; i < box.count(); ++i) out.push_back(digest_message(box, i));
    return out;
}

std::string digest_difference(const MessageDigest& want, const MessageDigest& got, bool keep_uid) {
    const std::string which = "message UID " + std::to_string(want.uid);
    if (keep_uid && want.uid != got.uid)
        return which + ": the copy has UID " + std::to_string(got.uid);
    if (want.content_sha256 != got.content_sha256) return which + ": the content differs";
    if (want.flags != got.flags)
        return which + ": flags (" + flag_names(want.flags) + ") became (" + flag_names(got.flags) + ")";
    if (want.keywords != got.keywords) return which + ": keywords differ (the target may hold fewer)";
    if (want.internal_date != got.internal_date) return which + ": the internal date differs";
    return "";
}

std::vector<CopySource> all_messages(Mailbox& box, bool keep_uid) {
    std::vector<CopySource> out;
    for (size_t i = 0; i < box.count(); ++i) out.push_back(CopySource{&box, i, keep_uid});
    return out;
}

CopyCounts append_messages(const std::vector<CopySource>& sources, size_t from, Mailbox& target, bool sync_each,
                           void (*progress)(size_t done)) {
    CopyCounts counts;
    NullEventSink quiet;
    for (size_t i = from; i < sources.size(); ++i) {
        const CopySource& s = sources[i];
        AppendRequest req = copy_request(*s.box, s.index);
        if (s.keep_uid) req.uid = s.box->at(s.index).uid;
        auto sink = target.append(req);
        copy_content(*s.box, s.index, *sink);
        sink->commit();
        ++counts.messages;
        counts.bytes += s.box->at(s.index).size;
        // Read our own append, so that the next one need not scan it again
        // (the unix driver scans the tail it has not read).
        if (sync_each) target.sync(quiet, false);
        if (progress) progress(i + 1);
    }
    target.flush();
    return counts;
}

UidBase uid_base_of(const Mailbox& box) {
    return UidBase{box.uidvalidity(), box.uidnext()};
}

TargetState compare_target(const std::vector<MessageDigest>& want, const std::vector<bool>& keep_uid,
                           const std::vector<MessageDigest>& got, std::string* why) {
    if (got.size() > want.size()) {
        if (why) *why = "the target holds " + std::to_string(got.size()) + " messages, the source " + std::to_string(want.size());
        return TargetState::Different;
    }
    for (size_t i = 0; i < got.size(); ++i) {
        std::string d = digest_difference(want[i], got[i], keep_uid.at(i));
        if (!d.empty()) {
            if (why) *why = d;
            return TargetState::Different;
        }
    }
    if (got.size() < want.size()) {
        if (why) *why = std::to_string(want.size() - got.size()) + " messages not copied yet";
        return TargetState::Prefix;
    }
    return TargetState::Complete;
}

}  // namespace mail::tool
