#include "modseq/modseq_log.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace mail {

namespace {

constexpr std::string_view kMagic = "IMAPD-MODSEQ";

std::vector<std::string_view> split_spaces(std::string_view line) {
    std::vector<std::string_view> words;
    size_t i = 0;
    while (i < line.size()) {
        size_t j = line.find(' ', i);
        if (j == std::string_view::npos) j = line.size();
        if (j == i) return {};  // two spaces in a row: not our format
        words.push_back(line.substr(i, j - i));
        i = j + 1;
    }
    if (!line.empty() && line.back() == ' ') return {};
    return words;
}

template <typename T>
bool number(std::string_view s, T& out, int base = 10) {
    if (s.empty() || s.size() > 20) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
    return ec == std::errc() && p == s.data() + s.size();
}

bool parse_header(std::string_view line, ModseqState& state, uint64_t& max_modseq) {
    auto w = split_spaces(line);
    ModseqState fresh;
    if (w.size() != 5 || w[0] != kMagic || w[1] != "1" || !number(w[2], fresh.uidvalidity) ||
        !number(w[3], fresh.highest) || !number(w[4], fresh.expunge_floor))
        return false;
    state = std::move(fresh);
    max_modseq = std::max(max_modseq, state.highest);
    return true;
}

bool apply_line(std::string_view line, ModseqState& state, uint64_t& max_modseq) {
    auto w = split_spaces(line);
    if (w.size() < 3 || w[0].size() != 1) return false;
    Uid uid = 0;
    uint64_t modseq = 0;
    if (!number(w[1], uid) || uid == 0 || !number(w[2], modseq) || modseq == 0) return false;
    max_modseq = std::max(max_modseq, modseq);
    if (w[0] == "X" && w.size() == 3) {
        state.messages.erase(uid);
        state.expunged[uid] = modseq;
    } else if (w[0] == "M" && w.size() >= 4) {
        ModseqEntry e;
        e.modseq = modseq;
        if (!number(w[3], e.flags, 16) || (e.flags & ~kStorableFlags)) return false;
        for (size_t i = 4; i < w.size(); ++i) {
            if (!modseq_keyword_ok(w[i])) return false;
            e.keywords.emplace_back(w[i]);
        }
        std::sort(e.keywords.begin(), e.keywords.end());
        state.expunged.erase(uid);
        state.messages[uid] = std::move(e);
    } else {
        return false;
    }
    state.highest = std::max(state.highest, modseq);
    return true;
}

}  // namespace

bool modseq_keyword_ok(std::string_view name) {
    if (name.empty() || name.size() > 255) return false;
    for (unsigned char c : name)
        if (c <= ' ' || c >= 0x7f || c == '(' || c == ')' || c == '{' || c == '%' || c == '*' ||
            c == '"' || c == '\\' || c == ']')
            return false;
    return true;
}

LogReadResult apply_modseq_log(ModseqState& state, std::string_view bytes, bool at_start) {
    LogReadResult r;
    size_t pos = 0;
    bool need_header = at_start;
    while (pos < bytes.size()) {
        size_t nl = bytes.find('\n', pos);
        if (nl == std::string_view::npos) break;  // torn last line
        std::string_view line = bytes.substr(pos, nl - pos);
        pos = nl + 1;
        r.consumed = pos;
        if (need_header) {
            need_header = false;
            if (parse_header(line, state, r.max_modseq)) {
                r.has_header = true;
                continue;
            }
            r.damaged = true;
        }
        if (!apply_line(line, state, r.max_modseq)) r.damaged = true;
    }
    return r;
}

std::string modseq_message_line(Uid uid, const ModseqEntry& entry) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "M %u %llu %x", uid, static_cast<unsigned long long>(entry.modseq),
                  entry.flags & kStorableFlags);
    std::string line = buf;
    for (const std::string& k : entry.keywords) {
        if (!modseq_keyword_ok(k)) continue;
        line += ' ';
        line += k;
    }
    line += '\n';
    return line;
}

std::string modseq_expunge_line(Uid uid, uint64_t modseq) {
    return "X " + std::to_string(uid) + " " + std::to_string(modseq) + "\n";
}

std::string modseq_file_text(const ModseqState& state, size_t max_expunged) {
    // Keep the newest expunges; the floor rises to the newest one forgotten.
    std::vector<std::pair<uint64_t, Uid>> by_modseq;
    for (const auto& [uid, modseq] : state.expunged) by_modseq.emplace_back(modseq, uid);
    std::sort(by_modseq.begin(), by_modseq.end());
    uint64_t floor = state.expunge_floor;
    size_t drop = by_modseq.size() > max_expunged ? by_modseq.size() - max_expunged : 0;
    for (size_t i = 0; i < drop; ++i) floor = std::max(floor, by_modseq[i].first);

    std::string text = std::string(kMagic) + " 1 " + std::to_string(state.uidvalidity) + " " +
                       std::to_string(state.highest) + " " + std::to_string(floor) + "\n";
    for (const auto& [uid, entry] : state.messages) text += modseq_message_line(uid, entry);
    std::vector<std::pair<Uid, uint64_t>> kept;
    for (size_t i = drop; i < by_modseq.size(); ++i) kept.emplace_back(by_modseq[i].second, by_modseq[i].first);
    std::sort(kept.begin(), kept.end());
    for (const auto& [uid, modseq] : kept) text += modseq_expunge_line(uid, modseq);
    return text;
}

}  // namespace mail
