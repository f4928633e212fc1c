// mailtool check's pure analyzers (tools/mailtool/check_*.hpp): each kind of
// damage in bytes or a listing gives its finding and its repair plan.
#include <catch2/catch.hpp>

#include <string>

#include "drivers/mbx/format.hpp"
#include "drivers/unix/scanner.hpp"
#include "tools/mailtool/check_maildir.hpp"
#include "tools/mailtool/check_mbx.hpp"
#include "tools/mailtool/check_unix.hpp"

using namespace mail;
using namespace mail::tool;

namespace {

std::string mbx_message(uint32_t uid, uint32_t flags = mbx::fOLD, uint32_t keywords = 0, std::string body = "Subject: x\r\n\r\nhi\r\n") {
    mbx::MessageLine ml;
    ml.internal_date = 1000000000;
    ml.size = body.size();
    ml.uid = uid;
    ml.flags = flags;
    ml.keywords = keywords;
    return mbx::format_message_line(ml) + body;
}

std::string mbx_file(uint32_t last_uid, const std::string& messages, std::vector<std::string> kw = {}) {
    mbx::Header h;
    h.uidvalidity = 0x5f000000;
    h.last_uid = last_uid;
    h.keywords = std::move(kw);
    h.last_pid = 42;
    return mbx::format_header(h) + messages;
}

MbxAnalysis mbx_of(const std::string& bytes) {
    ReadAt read = [&](uint64_t off, char* buf, size_t n) {
        if (off >= bytes.size()) return size_t{0};
        size_t k = std::min(n, bytes.size() - static_cast<size_t>(off));
        std::copy_n(bytes.data() + off, k, buf);
        return k;
    };
    return analyze_mbx(read, bytes.size());
}

std::string problems_of(const Findings& f) {
    std::string s;
    for (const auto& i : f.items)
        if (i.severity == Severity::Problem) s += i.where + ": " + i.what + "\n";
    return s;
}

UnixAnalysis unix_of(const std::string& bytes) {
    bool bad = false;
    auto msgs = unixmbox::scan_bytes(bytes, &bad);
    return analyze_unix(msgs, bad, bytes.size(), bytes.empty() || bytes.back() == '\n');
}

}  // namespace

TEST_CASE("mbx: each kind of damage gives its finding and plan", "[check]") {
    struct Case {
        std::string name, bytes, finding;  // finding "" : sound
        bool rewrite_header, renumber, partial, damaged;
    };
    const std::string m1 = mbx_message(1), m2 = mbx_message(2), m3 = mbx_message(3);
    std::vector<Case> cases = {
        {"sound", mbx_file(3, m1 + m2 + m3), "", false, false, false, false},
        {"hole", mbx_file(3, m1 + mbx_message(2, mbx::fEXPUNGED) + m3), "", false, false, false, false},
        {"unassigned UID", mbx_file(1, m1 + mbx_message(0)), "", false, false, false, false},
        {"out of order", mbx_file(3, m1 + m3 + m2), "UID 2 is not above the previous UID 3", true, true, false, false},
        {"duplicate", mbx_file(3, m1 + m1), "UID 1 is not above the previous UID 1", true, true, false, false},
        {"last UID low", mbx_file(2, m1 + m2 + m3), "UID 3 is above the header's last UID 2", true, false, false, false},
        {"partial line", mbx_file(3, m1 + m2 + " 9-Sep-2001 01:46:40 +0000,10;0000"), "a partial message line", false,
         false, true, false},
        {"partial message", mbx_file(3, m1 + m2 + m3.substr(0, m3.size() - 3)), "a partial message at the end", false,
         false, true, false},
        {"garbage", mbx_file(3, m1 + "garbage\r\n" + m2), "does not land on a message line", false, false, false, true},
        {"keyword without slot", mbx_file(1, mbx_message(1, mbx::fOLD, 2), {"a"}),
         "keyword bit 1 is set on messages but slot 2 names no keyword", true, false, false, false},
        {"bad keyword name", mbx_file(1, mbx_message(1, mbx::fOLD, 1), {"a b"}), "keyword slot 1 holds a bad name", true,
         false, false, false},
    };
    for (const Case& c : cases) {
        INFO(c.name);
        MbxAnalysis a = mbx_of(c.bytes);
        std::string p = problems_of(a.findings);
        if (c.finding.empty()) CHECK(p == "");
        else CHECK_THAT(p, Catch::Contains(c.finding));
        CHECK(a.plan.header_ok);
        CHECK(a.plan.rewrite_header == c.rewrite_header);
        CHECK(a.plan.renumber == c.renumber);
        CHECK(a.plan.partial_tail == c.partial);
        CHECK(a.plan.damaged == c.damaged);
    }
}

TEST_CASE("mbx: header damage", "[check]") {
    std::string good = mbx_file(1, mbx_message(1), {"work"});
    std::string bad_hex = good;
    bad_hex[10] = 'x';
    std::string bad_pid = good;
    bad_pid[2040] = 'q';
    struct Case {
        std::string bytes, finding;
        bool header_ok;
    } cases[] = {
        {"From x\n", "no mbx magic", false},
        {"*mbx*\r\n00000001", "shorter than the 2048-byte header", false},
        {bad_hex, "are not 16 hex digits", true},
        {bad_pid, "the PID field (offset 2038) is damaged", true},
    };
    for (const auto& c : cases) {
        MbxAnalysis a = mbx_of(c.bytes);
        CHECK_THAT(problems_of(a.findings), Catch::Contains(c.finding));
        CHECK(a.plan.header_ok == c.header_ok);
    }
    MbxAnalysis a = mbx_of(bad_hex);
    CHECK(a.plan.renumber);
}

TEST_CASE("unix: each kind of damage gives its finding and plan", "[check]") {
    const std::string pseudo = "From MAILER-DAEMON Mon Jan  1 00:00:00 2001\nSubject: x\nX-IMAP: 0000000100 0000000002\n\ntext\n\n";
    const std::string from = "From a@b Mon Jan  1 00:00:00 2001\n";
    auto msg = [&](int uid) { return from + "Subject: s\nX-UID: " + std::to_string(uid) + "\n\nbody\n\n"; };
    struct Case {
        std::string name, bytes, finding;
        bool renumber;
        std::vector<std::pair<uint64_t, unsigned>> newlines;
    };
    const std::string two = pseudo + msg(1) + msg(2);
    std::vector<Case> cases = {
        {"empty", "", "", false, {}},
        {"sound", two, "", false, {}},
        {"one above the base", two + msg(3), "", false, {}},
        {"no base: X-UIDs not read", msg(5) + msg(1), "", false, {}},
        {"out of order", pseudo + msg(2) + msg(1), "X-UID 1 is not above the previous UID 2", true, {}},
        {"far above", pseudo + msg(1) + msg(9), "X-UID 9 is above the last UID 2", true, {}},
        {"no blank line", pseudo + from + "S: x\n\nbody\n" + msg(2), "not ended by a blank line before the next From line",
         false, {{pseudo.size() + from.size() + 11, 1}}},
        {"no newline at end", two + from + "S: x\n\nbody", "a partial message at the end", false,
         {{two.size() + from.size() + 10, 2}}},
        {"header only", two + from + "S: x\n", "the header is not ended by a blank line", false,
         {{two.size() + from.size() + 5, 2}}},
        {"not an mbox", "Subject: x\n\nhi\n", "does not start with a From line", false, {}},
    };
    for (const Case& c : cases) {
        INFO(c.name);
        UnixAnalysis a = unix_of(c.bytes);
        std::string p = problems_of(a.findings);
        if (c.finding.empty()) CHECK(p == "");
        else CHECK_THAT(p, Catch::Contains(c.finding));
        CHECK(a.plan.renumber == c.renumber);
        CHECK(a.plan.newlines == c.newlines);
    }
}

TEST_CASE("maildir: flag characters and corrected names", "[check]") {
    struct Case {
        std::string name;
        uint64_t size;
        std::string bad, corrected;
    } cases[] = {
        {"1.M1P1.h,S=10,W=12:2,FS", 10, "", "1.M1P1.h,S=10,W=12:2,FS"},
        {"1.M1P1.h,S=10,W=12:2,SF", 10, "", "1.M1P1.h,S=10,W=12:2,FS"},
        {"1.M1P1.h,S=10,W=12:2,S%a", 10, "%", "1.M1P1.h,S=10,W=12:2,Sa"},
        {"1.M1P1.h,S=10,W=12:2,S", 11, "", "1.M1P1.h,S=11:2,S"},
        {"1.M1P1.h:2,", 11, "", "1.M1P1.h:2,"},
        {"1.M1P1.h", 11, "", "1.M1P1.h"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        CHECK(bad_flag_chars(c.name) == c.bad);
        CHECK(corrected_name(c.name, c.size) == c.corrected);
    }
}

TEST_CASE("maildir: listing findings and uidlist plan", "[check]") {
    auto listing = [](std::string uidlist) {
        MaildirListing l;
        l.now = 1000000;
        l.uidlist = std::move(uidlist);
        l.files = {{"cur", "a.M1.h,S=5:2,S", 5}, {"cur", "b.M2.h,S=6:2,", 6}, {"new", "c.M3.h,S=7", 7}};
        return l;
    };
    SECTION("sound") {
        auto a = analyze_maildir(listing("3 V7 N4\n1 :a.M1.h,S=5\n2 :b.M2.h,S=6\n3 :c.M3.h,S=7\n"));
        CHECK(problems_of(a.findings) == "");
        CHECK_FALSE(a.plan.rewrite_uidlist);
    }
    SECTION("out of order: renumbered from 1") {
        auto a = analyze_maildir(listing("3 V7 N4\n2 :a.M1.h,S=5\n1 :b.M2.h,S=6\n"));
        CHECK_THAT(problems_of(a.findings), Catch::Contains("line 3 (UID 1): UID 1 is not above the previous UID 2"));
        REQUIRE(a.plan.renumber);
        REQUIRE(a.plan.list.records.size() == 2);
        CHECK(a.plan.list.records[0].uid == 1);
        CHECK(a.plan.list.records[0].base == "a.M1.h,S=5");
        CHECK(a.plan.list.next_uid == 3);
    }
    SECTION("missing entry, entry without file, wrong size") {
        MaildirListing l = listing("3 V7 N9\n1 :a.M1.h,S=5\n5 :gone.M9.h\n");
        l.files[0].size = 8;
        l.tmp_files = {{"old", 1000000 - 37 * 3600}, {"young", 1000000 - 3600}};
        auto a = analyze_maildir(l);
        std::string p = problems_of(a.findings);
        CHECK_THAT(p, Catch::Contains("cur/a.M1.h,S=5:2,S: S=5 but the file has 8 bytes"));
        CHECK_THAT(p, Catch::Contains("dovecot-uidlist UID 5: no file gone.M9.h"));
        CHECK_THAT(p, Catch::Contains("cur/b.M2.h,S=6:2,: no dovecot-uidlist entry"));
        CHECK_THAT(p, Catch::Contains("tmp/old: a stale delivery, 37 hours old"));
        CHECK(a.plan.remove_tmp == std::vector<std::string>{"old"});
        REQUIRE(a.plan.renames.size() == 1);
        CHECK(a.plan.renames[0].to == "a.M1.h,S=8:2,S");
        CHECK_FALSE(a.plan.renumber);
        REQUIRE(a.plan.list.records.size() == 2);
        CHECK(a.plan.list.records[0].base == "a.M1.h,S=8");
        CHECK(a.plan.list.records[1].uid == 9);
        CHECK(a.plan.list.records[1].base == "b.M2.h,S=6");
        CHECK(a.plan.list.next_uid == 10);
    }
    SECTION("damaged header and missing directories") {
        MaildirListing l = listing("garbage\n");
        l.has_tmp = false;
        auto a = analyze_maildir(l);
        CHECK_THAT(problems_of(a.findings), Catch::Contains("dovecot-uidlist line 1"));
        CHECK_THAT(problems_of(a.findings), Catch::Contains("tmp/: missing"));
        CHECK(a.plan.make_dirs == std::vector<std::string>{"tmp"});
        CHECK(a.plan.renumber);
        CHECK(a.plan.list.records.size() == 2);
    }
}
