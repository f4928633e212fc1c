#include "tools/mailtool/check_mbx.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string>
#include <string_view>

namespace mail::tool {

namespace {

bool all_hex(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}

// An IMAP atom, as a keyword must be (RFC 3501 flag-keyword).
bool keyword_name_ok(std::string_view name) {
    if (name.empty() || name.size() > mbx::kMaxKeywordLength) return false;
    for (unsigned char c : name)
        if (c <= ' ' || c >= 0x7f || std::string_view("(){%*\"\\]").find(static_cast<char>(c)) != std::string_view::npos)
            return false;
    return true;
}

std::string hex8(uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%08x", v);
    return buf;
}

// Reads the keyword slots from offset 25; marks damaged ones "" and says so.
void check_keyword_slots(std::string_view h, MbxPlan& plan, Findings& out) {
    size_t pos = 25;
    bool ended = false;
    for (size_t slot = 0; slot < mbx::kMaxKeywords; ++slot) {
        size_t cr = h.find("\r\n", pos);
        size_t nul = h.find('\0', pos);
        if (cr == std::string_view::npos || (nul != std::string_view::npos && nul < cr)) {
            if (ended) break;  // UW's own files may end the slots early with NULs
            out.problem("header", "keyword slot " + std::to_string(slot + 1) + " at offset " + std::to_string(pos) +
                                      " is not a line");
            plan.rewrite_header = true;
            break;
        }
        std::string_view name = h.substr(pos, cr - pos);
        pos = cr + 2;
        if (name.empty()) {
            ended = true;
            continue;
        }
        if (ended) {
            out.problem("header", "keyword slot " + std::to_string(slot + 1) + " (\"" + std::string(name) +
                                      "\") follows an empty slot; UW does not read it");
            plan.rewrite_header = true;
            continue;
        }
        if (!keyword_name_ok(name)) {
            out.problem("header", "keyword slot " + std::to_string(slot + 1) + " holds a bad name");
            plan.header.keywords[slot] = "";
            plan.rewrite_header = true;
        }
    }
}

}  // namespace

MbxAnalysis analyze_mbx(const ReadAt& read, uint64_t file_size) {
    MbxAnalysis a;
    Findings& out = a.findings;
    MbxPlan& plan = a.plan;
    std::string h(mbx::kHeaderSize, '\0');
    size_t got = read(0, h.data(), h.size());
    h.resize(got);
    if (got < 7 || h.compare(0, 7, "*mbx*\r\n") != 0) {
        out.problem("offset 0", "no mbx magic \"*mbx*\" CRLF: not an mbx file");
        return a;
    }
    if (got < mbx::kHeaderSize) {
        out.problem("header", "the file is " + std::to_string(file_size) + " bytes, shorter than the 2048-byte header");
        return a;
    }
    plan.header_ok = true;
    auto parsed = mbx::parse_header(h);
    plan.header = parsed ? *parsed : mbx::Header{};
    plan.header.keywords.resize(mbx::kMaxKeywords);
    if (!all_hex(std::string_view(h).substr(7, 16)) || h.compare(23, 2, "\r\n") != 0) {
        out.problem("header", "UIDVALIDITY and last UID (offset 7) are not 16 hex digits and CRLF");
        plan.rewrite_header = true;
        plan.renumber = true;  // nothing in them can be trusted
    } else if (plan.header.uidvalidity == 0) {
        out.problem("header", "UIDVALIDITY is 0");
        plan.renumber = true;
    }
    check_keyword_slots(h, plan, out);
    std::string_view pid = std::string_view(h).substr(mbx::kHeaderSize - 10);
    bool pid_ok = pid == std::string_view("\0\0\0\0\0\0\0\0\0\0", 10) ||
                  (all_hex(pid.substr(0, 8)) && pid.substr(8) == "\r\n");
    if (!pid_ok) {
        out.problem("header", "the PID field (offset 2038) is damaged");
        plan.rewrite_header = true;
    }

    Uid prev = 0, highest = 0;
    uint32_t used_keywords = 0;
    bool out_of_order = false;
    size_t messages = 0, holes = 0;
    uint64_t pos = mbx::kHeaderSize;
    char buf[mbx::kMaxLineLength];
    while (pos < file_size) {
        size_t n = read(pos, buf, sizeof buf);
        mbx::MessageLine ml;
        mbx::LineStatus st = mbx::parse_message_line(std::string_view(buf, n), ml);
        if (st == mbx::LineStatus::Incomplete) {
            out.problem(at_offset(pos), "a partial message line at the end (" + std::to_string(file_size - pos) +
                                            " bytes): an append that did not finish");
            plan.partial_tail = true;
            break;
        }
        if (st == mbx::LineStatus::Malformed) {
            std::string why = "not a message line \"date,size;KKKKKKKKFFFF-UUUUUUUU\"";
            if (!plan.entries.empty())
                why += "; the size of the message at " + std::to_string(plan.entries.back().offset) +
                       " does not land on a message line";
            out.problem(at_offset(pos), why);
            plan.damaged = true;
            break;
        }
        if (pos + ml.length + ml.size > file_size) {
            out.problem(at_offset(pos, ml.uid), "the message claims " + std::to_string(ml.size) + " bytes, " +
                                                    std::to_string(file_size - pos - ml.length) +
                                                    " are left: a partial message at the end");
            plan.partial_tail = true;
            break;
        }
        MbxEntry e{pos, static_cast<uint32_t>(ml.length), ml.size, ml.keywords, ml.flags, ml.uid};
        if (ml.flags & mbx::fEXPUNGED) ++holes;
        else ++messages;
        used_keywords |= ml.keywords;
        if (ml.uid) {
            if (ml.uid <= prev) {
                out.problem(at_offset(pos, ml.uid), "UID " + std::to_string(ml.uid) + " is not above the previous UID " +
                                                        std::to_string(prev));
                out_of_order = true;
            } else if (ml.uid > plan.header.last_uid && !plan.renumber) {
                out.problem(at_offset(pos, ml.uid), "UID " + std::to_string(ml.uid) +
                                                        " is above the header's last UID " +
                                                        std::to_string(plan.header.last_uid));
            }
            prev = std::max(prev, ml.uid);
            highest = std::max(highest, ml.uid);
        }
        plan.entries.push_back(e);
        pos += ml.length + ml.size;
    }
    if (out_of_order) plan.renumber = true;
    for (size_t bit = 0; bit < mbx::kMaxKeywords; ++bit) {
        if (!(used_keywords & (1u << bit)) || !plan.header.keywords[bit].empty()) continue;
        out.problem("header", "keyword bit " + std::to_string(bit) + " is set on messages but slot " +
                                  std::to_string(bit + 1) + " names no keyword");
        plan.header.keywords[bit] = "Keyword" + std::to_string(bit + 1);
        plan.rewrite_header = true;
    }
    // Slots must be contiguous for UW: name any empty slot below a used one.
    size_t last_named = 0;
    for (size_t i = 0; i < plan.header.keywords.size(); ++i)
        if (!plan.header.keywords[i].empty()) last_named = i + 1;
    for (size_t i = 0; i < last_named; ++i)
        if (plan.header.keywords[i].empty()) plan.header.keywords[i] = "Keyword" + std::to_string(i + 1);
    if (plan.renumber) {
        plan.rewrite_header = true;
    } else if (highest > plan.header.last_uid) {
        plan.header.last_uid = highest;
        plan.rewrite_header = true;
    }
    if (out.problems() == 0)
        out.good("", "mbx, UIDVALIDITY " + hex8(plan.header.uidvalidity) + ", last UID " +
                         std::to_string(plan.header.last_uid) + ", " + std::to_string(messages) + " messages, " +
                         std::to_string(holes) + " holes");
    return a;
}

}  // namespace mail::tool
