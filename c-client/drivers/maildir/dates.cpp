#include "drivers/maildir/dates.hpp"

#include <algorithm>
#include <charconv>

namespace mail::maildir {

namespace {

constexpr size_t kRecordSize = 12;

void put_le(std::string& out, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

uint64_t get_le(std::string_view in, size_t at, int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= uint64_t{static_cast<unsigned char>(in[at + i])} << (8 * i);
    return v;
}

}  // namespace

std::string format_dates(Uid uidvalidity, const std::vector<DateRecord>& records) {
    std::string out = "imapd-dates 1 " + std::to_string(uidvalidity) + "\n";
    out.reserve(out.size() + records.size() * kRecordSize);
    for (const DateRecord& r : records) {
        put_le(out, r.uid, 4);
        put_le(out, static_cast<uint64_t>(r.date), 8);
    }
    return out;
}

std::optional<std::vector<DateRecord>> parse_dates(std::string_view text, Uid uidvalidity) {
    constexpr std::string_view magic = "imapd-dates 1 ";
    if (text.substr(0, magic.size()) != magic) return std::nullopt;
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) return std::nullopt;
    Uid validity = 0;
    const char* first = text.data() + magic.size();
    const char* last = text.data() + nl;
    auto [end, ec] = std::from_chars(first, last, validity);
    if (ec != std::errc() || end != last || first == last || validity != uidvalidity) return std::nullopt;
    std::string_view body = text.substr(nl + 1);
    if (body.size() % kRecordSize != 0) return std::nullopt;  // torn or damaged
    std::vector<DateRecord> out;
    out.reserve(body.size() / kRecordSize);
    for (size_t at = 0; at < body.size(); at += kRecordSize) {
        DateRecord r{static_cast<Uid>(get_le(body, at, 4)), static_cast<int64_t>(get_le(body, at + 4, 8))};
        if (r.uid == 0 || (!out.empty() && r.uid <= out.back().uid)) return std::nullopt;
        out.push_back(r);
    }
    return out;
}

std::optional<int64_t> find_date(const std::vector<DateRecord>& records, Uid uid) {
    auto it = std::lower_bound(records.begin(), records.end(), uid,
                               [](const DateRecord& r, Uid u) { return r.uid < u; });
    if (it == records.end() || it->uid != uid) return std::nullopt;
    return it->date;
}

}  // namespace mail::maildir
