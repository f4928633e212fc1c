#include "drivers/unix/status_headers.hpp"

#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>

#include "drivers/unix/from_line.hpp"
#include "mailbox/types.hpp"

namespace mail::unixmbox {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string local_host() {
    char host[256] = "localhost";
    ::gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = '\0';
    return host;
}

}  // namespace

HiddenField hidden_field(std::string_view line) {
    size_t n = 0;
    while (n < line.size() && line[n] != ':' && static_cast<unsigned char>(line[n]) > ' ') ++n;
    if (n >= line.size() || line[n] != ':') return HiddenField::None;
    std::string name(line.substr(0, n));
    static const struct { const char* name; HiddenField field; } kFields[] = {
        {"Status", HiddenField::Status},         {"X-Status", HiddenField::XStatus},
        {"X-Keywords", HiddenField::XKeywords},  {"X-UID", HiddenField::XUid},
        {"X-IMAP", HiddenField::XImap},          {"X-IMAPbase", HiddenField::XImapBase}};
    for (const auto& f : kFields)
        if (strcasecmp(name.c_str(), f.name) == 0) return f.field;
    return HiddenField::None;
}

std::string_view field_value(std::string_view line) {
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return {};
    std::string_view v = line.substr(colon + 1);
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.remove_suffix(1);
    return v;
}

void parse_status_letters(std::string_view value, StatusLetters& out) {
    for (char c : value) switch (c) {
            case 'R': out.flags |= kSeen; break;
            case 'O': out.old = true; break;
            case 'D': out.flags |= kDeleted; break;
            case 'F': out.flags |= kFlagged; break;
            case 'A': out.flags |= kAnswered; break;
            case 'T': out.flags |= kDraft; break;
            default: break;
        }
}

std::vector<std::string> parse_keyword_list(std::string_view value) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < value.size()) {
        while (i < value.size() && is_space(value[i])) ++i;
        size_t start = i;
        while (i < value.size() && !is_space(value[i])) ++i;
        if (i > start) out.emplace_back(value.substr(start, i - start));
    }
    return out;
}

std::optional<MailboxBase> parse_base(std::string_view value) {
    MailboxBase base;
    const char* p = value.data();
    const char* end = p + value.size();
    auto number = [&](uint32_t& v) {
        while (p < end && *p == ' ') ++p;
        auto [q, ec] = std::from_chars(p, end, v);
        if (ec != std::errc() || q == p) return false;
        p = q;
        return true;
    };
    if (!number(base.uidvalidity) || base.uidvalidity == 0 || !number(base.uid_last)) return std::nullopt;
    base.keywords = parse_keyword_list(std::string_view(p, static_cast<size_t>(end - p)));
    return base;
}

std::string format_status(uint32_t flags, bool old, const std::vector<std::string>& keywords, uint32_t uid,
                          const MailboxBase* base) {
    std::string s;
    size_t pad = 50;
    if (base) {
        s += "X-IMAPbase: " + std::to_string(base->uidvalidity) + " " + std::to_string(base->uid_last);
        for (const auto& k : base->keywords) s += " " + k;
        s += "\n";
        pad += 30;
    }
    s += "Status: ";
    if (flags & kSeen) s += 'R';
    if (old) s += 'O';
    s += "\nX-Status: ";
    if (flags & kDeleted) s += 'D';
    if (flags & kFlagged) s += 'F';
    if (flags & kAnswered) s += 'A';
    if (flags & kDraft) s += 'T';
    s += "\nX-Keywords:";
    for (const auto& k : keywords) s += " " + k;
    if (s.size() < pad) s.append(pad - s.size(), ' ');  // UW pads to keep the size constant
    s += "\n";
    if (uid) s += "X-UID: " + std::to_string(uid) + "\n";
    s += "\n";
    return s;
}

std::string format_pseudo(const MailboxBase& base, int64_t now) {
    std::string host = local_host();
    time_t t = static_cast<time_t>(now);
    struct tm tm;
    ::localtime_r(&t, &tm);
    char date[64];
    // rfc822_fixed_date (env_unix.c): fixed width, no weekday; English
    // month names whatever the locale.
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    long zone = tm.tm_gmtoff / 60;
    std::snprintf(date, sizeof date, "%02d %s %4d %02d:%02d:%02d %c%02ld%02ld", tm.tm_mday,
                  kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  zone < 0 ? '-' : '+', std::labs(zone) / 60, std::labs(zone) % 60);
    char ids[32];
    std::snprintf(ids, sizeof ids, "%010u %010u", base.uidvalidity, base.uid_last);
    // UW writes ctime()'s form here, without a zone.
    std::string from = format_from_line("MAILER-DAEMON", now, static_cast<int32_t>(tm.tm_gmtoff / 60));
    from.resize(from.size() - 6);
    std::string s = from + "\n";
    s += std::string("Date: ") + date + "\n";
    s += "From: Mail System Internal Data <MAILER-DAEMON@" + host + ">\n";
    s += "Subject: " + std::string(kPseudoSubject) + "\n";
    s += "Message-ID: <" + std::to_string(now) + "@" + host + ">\n";
    s += std::string("X-IMAP: ") + ids;
    for (const auto& k : base.keywords) s += " " + k;
    s += "\nStatus: RO\n\n";
    s += "This text is part of the internal format of your mail folder, and is not\n"
         "a real message.  It is created automatically by the mail system software.\n"
         "If deleted, important folder data will be lost, and it will be re-created\n"
         "with the data reset to initial values.\n\n";
    return s;
}

}  // namespace mail::unixmbox
