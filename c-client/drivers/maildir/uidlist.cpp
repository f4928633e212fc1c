#include "drivers/maildir/uidlist.hpp"

#include <algorithm>
#include <charconv>
#include <unordered_set>

#include "util/error.hpp"

namespace mail::maildir {

namespace {

[[noreturn]] void corrupt(const std::string& why) {
    throw MailError(ErrorKind::Corrupt, "dovecot-uidlist is damaged: " + why);
}

std::optional<uint32_t> parse_u32(std::string_view s) {
    uint32_t v = 0;
    if (s.empty()) return std::nullopt;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

// Splits at single spaces, dropping empty pieces.
std::vector<std::string_view> words(std::string_view line) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < line.size()) {
        size_t j = line.find(' ', i);
        if (j == std::string_view::npos) j = line.size();
        if (j > i) out.push_back(line.substr(i, j - i));
        i = j + 1;
    }
    return out;
}

void parse_header(std::string_view line, Uidlist& list) {
    auto w = words(line);
    if (w.empty()) corrupt("empty header");
    auto version = parse_u32(w[0]);
    if (!version) corrupt("bad version");
    list.version = *version;
    if (list.version == 1) {
        if (w.size() < 3) corrupt("short version 1 header");
        auto v = parse_u32(w[1]), n = parse_u32(w[2]);
        if (!v || !n) corrupt("bad version 1 header");
        list.uidvalidity = *v;
        list.next_uid = *n;
        return;
    }
    if (list.version != 3) corrupt("unsupported version " + std::to_string(list.version));
    for (size_t i = 1; i < w.size(); ++i) {
        char key = w[i][0];
        std::string_view value = w[i].substr(1);
        if (key == 'V' || key == 'N') {
            auto n = parse_u32(value);
            if (!n) corrupt("bad header field");
            (key == 'V' ? list.uidvalidity : list.next_uid) = *n;
        } else if (key == 'G') {
            list.guid = std::string(value);
        } else {
            list.header_extensions.emplace_back(key, std::string(value));
        }
    }
    if (list.uidvalidity == 0) corrupt("no UIDVALIDITY");
}

UidlistRecord parse_record(std::string_view line, unsigned version) {
    UidlistRecord rec;
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos) corrupt("record without a file name");
    auto uid = parse_u32(line.substr(0, sp));
    if (!uid || *uid == 0) corrupt("bad UID");
    rec.uid = *uid;
    std::string_view rest = line.substr(sp + 1);
    if (version == 1) {
        rec.base = std::string(rest.substr(0, rest.find(':')));
    } else {
        // Extensions until a word starting with ':'; the file name is the rest.
        while (!rest.empty() && rest[0] != ':') {
            size_t end = rest.find(' ');
            std::string_view word = rest.substr(0, end);
            if (end == std::string_view::npos) {  // no ':' at all: take the last word as the name
                rec.base = std::string(word);
                break;
            }
            if (!word.empty()) rec.extensions.emplace_back(word[0], std::string(word.substr(1)));
            rest = rest.substr(end + 1);
        }
        if (!rest.empty() && rest[0] == ':') rec.base = std::string(rest.substr(1));
    }
    if (size_t colon = rec.base.find(':'); colon != std::string::npos) rec.base.resize(colon);
    if (rec.base.empty()) corrupt("record without a file name");
    return rec;
}

}  // namespace

std::optional<uint64_t> UidlistRecord::vsize() const {
    for (const auto& [k, v] : extensions) {
        if (k != 'W') continue;
        uint64_t n = 0;
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
        if (ec == std::errc() && p == v.data() + v.size()) return n;
    }
    return std::nullopt;
}

void UidlistRecord::set_extension(char key, std::string value) {
    for (auto& [k, v] : extensions)
        if (k == key) {
            v = std::move(value);
            return;
        }
    extensions.emplace_back(key, std::move(value));
}

Uidlist parse_uidlist(std::string_view text) {
    Uidlist list;
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) corrupt("no header line");
    parse_header(text.substr(0, nl), list);
    size_t pos = nl + 1;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) break;  // partial last line: being written
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        if (line.empty()) continue;
        UidlistRecord rec = parse_record(line, list.version);
        if (!list.records.empty() && rec.uid <= list.records.back().uid) corrupt("UIDs out of order");
        list.records.push_back(std::move(rec));
    }
    if (!list.records.empty() && list.records.back().uid >= list.next_uid) {
        if (list.records.back().uid == UINT32_MAX) corrupt("UIDs exhausted");
        list.next_uid = list.records.back().uid + 1;
    }
    return list;
}

SalvagedUidlist salvage_uidlist(std::string_view text) {
    SalvagedUidlist out;
    Uidlist& list = out.list;
    size_t nl = text.find('\n');
    std::string_view header = text.substr(0, nl);
    bool header_ok = false;
    try {
        if (nl != std::string_view::npos) {
            parse_header(header, list);
            // Without N the next UID is unknown (ours always write it).
            header_ok = list.version == 1 || header.find(" N") != std::string_view::npos;
        }
    } catch (const MailError&) {
    }
    if (!header_ok) list = Uidlist{};
    Uid highest = 0;              // the highest UID any line shows
    bool lost_tail_uid = false;   // an unreadable UID after the last record kept
    std::unordered_set<std::string> bases;
    size_t pos = nl == std::string_view::npos ? text.size() : nl + 1;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) break;  // partial last line: being written
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        if (line.empty()) continue;
        auto uid = parse_u32(line.substr(0, line.find(' ')));
        if (uid) highest = std::max(highest, *uid);
        try {
            UidlistRecord rec = parse_record(line, list.version == 1 ? 1 : 3);
            if ((!list.records.empty() && rec.uid <= list.records.back().uid) || rec.uid == UINT32_MAX ||
                !bases.insert(rec.base).second) {
                ++out.dropped;
                continue;
            }
            list.records.push_back(std::move(rec));
            lost_tail_uid = false;
        } catch (const MailError&) {
            ++out.dropped;
            if (!uid) lost_tail_uid = true;
        }
    }
    if (highest == UINT32_MAX) header_ok = false;
    else if (highest >= list.next_uid) list.next_uid = highest + 1;
    list.version = 3;
    out.keeps_uidvalidity = header_ok && !lost_tail_uid;
    return out;
}

std::string format_uidlist(const Uidlist& list) {
    std::string out = "3 V" + std::to_string(list.uidvalidity) + " N" + std::to_string(list.next_uid);
    if (!list.guid.empty()) out += " G" + list.guid;
    for (const auto& [k, v] : list.header_extensions) {
        out += ' ';
        out += k;
        out += v;
    }
    out += '\n';
    for (const auto& rec : list.records) out += format_uidlist_record(rec);
    return out;
}

std::string format_uidlist_record(const UidlistRecord& rec) {
    std::string out = std::to_string(rec.uid);
    for (const auto& [k, v] : rec.extensions) {
        out += ' ';
        out += k;
        out += v;
    }
    out += " :";
    out += rec.base;
    out += '\n';
    return out;
}

}  // namespace mail::maildir
