// The unix driver's index (drivers/unix/index_file.hpp, index_store.hpp):
// the format round trip, damaged files refused, and on real files: an
// appended tail scanned alone, anything else scanned whole. [mboxindex]
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "drivers/unix/driver.hpp"
#include "drivers/unix/index_store.hpp"
#include "drivers/unix/unix_mailbox.hpp"
#include "index/index_path.hpp"

using namespace mail;
using namespace mail::unixmbox;

namespace {

const std::string kMbox =
    "From MAILER-DAEMON Fri Jun  7 10:00:00 2024\n"
    "Date: Fri, 7 Jun 2024 10:00:00 +0000\n"
    "From: Mail System Internal Data <MAILER-DAEMON@host>\n"
    "Subject: DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA\n"
    "X-IMAP: 1717750000 0000000003 work home\n"
    "Status: RO\n"
    "\n"
    "This text is part of the internal format of your mail folder.\n"
    "\n"
    "From alice@example.org Fri Jun  7 10:01:00 2024\n"
    "Subject: one\n"
    "Status: RO\n"
    "X-Status: F\n"
    "X-Keywords: work\n"
    "X-UID: 1\n"
    "\n"
    "body one\n"
    ">From quoted\n"
    "\n"
    "From bob@example.org Fri Jun  7 10:02:00 2024 +0200\r\n"
    "Subject: two\r\n"
    "X-UID: 2\r\n"
    "Received: x\r\n"
    "\r\n"
    "body two\r\n"
    "\n"
    "From carol@example.org Fri Jun  7 10:03:00 2024\n"
    "Subject: three, no body\n";

// As procmail appends: the From line, the message, a blank line.
const std::string kDelivery =
    "From dave@example.org Fri Jun  7 11:00:00 2024\n"
    "Subject: delivered\n"
    "\n"
    "new mail\n"
    "\n";

std::string temp_dir() {
    char tmpl[] = "/tmp/mboxindex-test-XXXXXX";
    REQUIRE(::mkdtemp(tmpl));
    return tmpl;
}

std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

void spit(const std::string& path, const std::string& bytes, bool append = false) {
    std::ofstream f(path, std::ios::binary | (append ? std::ios::app : std::ios::trunc));
    f << bytes;
}

// The message fields the driver uses, in a comparable form.
std::string describe(const ScannedMessage& m) {
    std::ostringstream o;
    o << m.start << ' ' << m.header << ' ' << m.blank << ' ' << m.body << ' ' << m.end << ' ' << m.next << " v";
    for (const FileRange& r : m.visible) o << ' ' << r.offset << '+' << r.length;
    o << " size " << m.size << " date " << m.internal_date << ' ' << m.zone_minutes << " flags " << m.flags
      << (m.old ? " O" : "") << (m.has_status ? " S" : "") << (m.pseudo ? " P" : "") << " kw";
    for (const auto& k : m.keywords) o << ' ' << k;
    if (m.xuid) o << " xuid " << *m.xuid;
    if (m.base) {
        o << " base " << m.base->uidvalidity << ' ' << m.base->uid_last;
        for (const auto& k : m.base->keywords) o << ' ' << k;
    }
    o << " hash " << m.header_hash;
    return o.str();
}

std::vector<std::string> describe(const std::vector<ScannedMessage>& ms) {
    std::vector<std::string> out;
    for (const auto& m : ms) out.push_back(describe(m));
    return out;
}

struct Read {
    ReadResult result;
    std::vector<std::string> full;  // what a whole scan finds
};

Read read_file(const std::string& path, const std::string& index) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY));
    REQUIRE(fd);
    struct stat st;
    REQUIRE(::fstat(fd.get(), &st) == 0);
    Read r{read_mailbox(fd.get(), st, index), describe(scan_bytes(slurp(path)))};
    return r;
}

void set_mtime(const std::string& path, const struct timespec& t) {
    struct timespec times[2] = {t, t};
    REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, 0) == 0);
}

}  // namespace

TEST_CASE("index: encode and parse give back every field", "[mboxindex]") {
    UnixIndex index;
    index.stamp = IndexStamp{64769, 123456, kMbox.size() + 7, 1717750000, 999999999, kMbox.size(), 42, ~uint64_t{0}, true};
    index.messages = scan_bytes(kMbox);
    REQUIRE(index.messages.size() == 4);
    CHECK(index.messages[0].pseudo);
    CHECK(index.messages[2].zone_minutes == 120);
    std::string bytes = encode_index(index);
    auto back = parse_index(bytes);
    REQUIRE(back);
    CHECK(back->stamp == index.stamp);
    CHECK(describe(back->messages) == describe(index.messages));

    UnixIndex empty;
    auto none = parse_index(encode_index(empty));
    REQUIRE(none);
    CHECK(none->messages.empty());
}

TEST_CASE("index: damaged, truncated or foreign bytes are refused", "[mboxindex]") {
    UnixIndex index;
    index.stamp.covered = index.stamp.size = kMbox.size();
    index.messages = scan_bytes(kMbox);
    const std::string good = encode_index(index);
    REQUIRE(parse_index(good));
    for (size_t n = 0; n < good.size(); ++n) CHECK_FALSE(parse_index(good.substr(0, n)));
    for (size_t i = 0; i < good.size(); i += 3) {
        std::string bad = good;
        bad[i] = static_cast<char>(bad[i] ^ 0x20);
        CHECK_FALSE(parse_index(bad));
    }
    CHECK_FALSE(parse_index(good + "x"));
    struct Case {
        std::string bytes;
    } cases[] = {{""},
                 {"UXIDX"},
                 {std::string("UXIDX\0\0\1", 8) + good.substr(8)},  // version 1 (FNV checksum): rewritten
                 {std::string("UXIDX\0\0\3", 8) + good.substr(8)},
                 {"From x\n"}};
    for (const auto& c : cases) CHECK_FALSE(parse_index(c.bytes));

    // A well-formed file whose offsets run past what it covers.
    UnixIndex past = index;
    past.stamp.covered = past.stamp.size = 10;
    CHECK_FALSE(parse_index(encode_index(past)));
}

TEST_CASE("index: unchanged file read from the index, appended tail scanned alone", "[mboxindex]") {
    std::string dir = temp_dir(), path = dir + "/box", index = dir + "/box.index";
    spit(path, kMbox);
    Read first = read_file(path, index);
    CHECK_FALSE(first.result.used_index);
    CHECK(describe(first.result.messages) == first.full);
    REQUIRE(load_index(index));

    Read second = read_file(path, index);
    CHECK(second.result.used_index);
    CHECK(second.result.scanned_from == kMbox.size());
    CHECK(describe(second.result.messages) == second.full);

    spit(path, kDelivery, true);  // procmail appends: same inode, larger
    Read third = read_file(path, index);
    CHECK(third.result.used_index);
    CHECK(third.result.scanned_from == kMbox.size());
    REQUIRE(third.result.messages.size() == 5);
    CHECK(describe(third.result.messages) == third.full);

    Read fourth = read_file(path, index);  // the index was extended
    CHECK(fourth.result.used_index);
    CHECK(fourth.result.scanned_from == kMbox.size() + kDelivery.size());
    CHECK(describe(fourth.result.messages) == fourth.full);
    CHECK(::system(("rm -rf " + dir).c_str()) == 0);
}

TEST_CASE("index: any change but an append means a whole scan", "[mboxindex]") {
    struct Case {
        const char* what;
        std::string before, after;
        bool same_inode, keep_mtime;
    } cases[] = {
        // UW rewrites in place: same inode and size, a flag letter changed.
        {"flag changed in place", kMbox, [] { std::string s = kMbox; s.replace(s.find("X-Status: F"), 11, "X-Status: D"); return s; }(), true, false},
        // The same, with the mtime set back: the header hashes still see it.
        {"flag changed, mtime forged", kMbox, [] { std::string s = kMbox; s.replace(s.find("X-Status: F"), 11, "X-Status: D"); return s; }(), true, true},
        // The same change and then a delivery: larger, so every header is compared.
        {"flag changed then delivery", kMbox, [] { std::string s = kMbox; s.replace(s.find("X-Status: F"), 11, "X-Status: D"); return s + kDelivery; }(), true, false},
        {"smaller", kMbox, kMbox.substr(0, kMbox.rfind("From carol")), true, false},
        {"text appended to the last message", kMbox, kMbox + "more text, no From line\n", true, false},
        {"blank lines appended", kMbox, kMbox + "\n\n", true, false},
        // Replaced by another file of the same size (a new inode; and in place).
        {"replaced, new inode", kMbox, [] { std::string s = kMbox; s.replace(s.find("body one"), 8, "BODY ONE"); return s; }(), false, false},
        {"replaced in place, mtime forged", kMbox, [] { std::string s = kMbox; s.replace(s.find("Subject: one"), 12, "Subject: 1!!"); return s; }(), true, true},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        std::string dir = temp_dir(), path = dir + "/box", index = dir + "/box.index";
        spit(path, c.before);
        REQUIRE_FALSE(read_file(path, index).result.used_index);
        struct stat st;
        REQUIRE(::stat(path.c_str(), &st) == 0);
        if (c.same_inode) {
            spit(path, c.after);
        } else {
            spit(path + ".new", c.after);
            REQUIRE(::rename((path + ".new").c_str(), path.c_str()) == 0);
        }
        if (c.keep_mtime) set_mtime(path, st.st_mtim);
        Read r = read_file(path, index);
        CHECK_FALSE(r.result.used_index);
        CHECK(describe(r.result.messages) == r.full);
        Read again = read_file(path, index);  // rewritten for the new file
        CHECK(again.result.used_index);
        CHECK(describe(again.result.messages) == again.full);
        CHECK(::system(("rm -rf " + dir).c_str()) == 0);
    }
}

TEST_CASE("index: a damaged index file is ignored and rewritten", "[mboxindex]") {
    std::string dir = temp_dir(), path = dir + "/box", index = dir + "/box.index";
    spit(path, kMbox);
    for (const std::string& junk : {std::string(), std::string("garbage"), std::string(5000, '\0')}) {
        spit(index, junk);
        Read r = read_file(path, index);
        CHECK_FALSE(r.result.used_index);
        CHECK(describe(r.result.messages) == r.full);
        CHECK(read_file(path, index).result.used_index);
    }
    std::string good = slurp(index);  // cut short, as by a full disk
    spit(index, good.substr(0, good.size() / 2));
    CHECK_FALSE(read_file(path, index).result.used_index);
    CHECK(::system(("rm -rf " + dir).c_str()) == 0);
}

TEST_CASE("index: the driver's rewrite writes the index a scan of the new file gives", "[mboxindex]") {
    std::string dir = temp_dir(), path = dir + "/box";
    spit(path, kMbox.substr(kMbox.find("From alice")));  // no pseudo-message: X-IMAPbase comes
    UnixDriver driver;
    std::string index = index_file_path(path, "", "index");
    for (int round = 0; round < 3; ++round) {
        INFO("round " << round);
        {
            auto box = driver.open(path, OpenMode::ReadWrite);
            REQUIRE(box->count() >= 3);
            box->set_flags(1, round == 1 ? kSeen | kDeleted : kAnswered, 0);
            auto kw = box->keyword_bit("later", true);
            REQUIRE(kw);
            box->set_flags(2, kFlagged, KeywordMask{1} << *kw);
            box->flush();
        }
        auto saved = load_index(index);
        REQUIRE(saved);
        std::string file = slurp(path);
        CHECK(saved->stamp.covered == file.size());
        CHECK(describe(saved->messages) == describe(scan_bytes(file)));
        spit(path, kDelivery, true);
    }
    auto box = driver.open(path, OpenMode::ReadOnly);
    CHECK(box->count() == 6);
    CHECK(box->at(5).flags == kRecent);
    CHECK(box->at(1).flags == kAnswered);
    CHECK(::system(("rm -rf " + dir).c_str()) == 0);
}

TEST_CASE("unix index checksum: every length, every flipped bit of a word changes it", "[unix2]") {
    using mail::unixmbox::check_sum;
    std::string bytes;
    for (int i = 0; i < 200; ++i) bytes += static_cast<char>(i * 37 + 11);
    for (size_t n : {0u, 1u, 7u, 8u, 31u, 32u, 33u, 64u, 65u, 199u, 200u}) {
        std::string_view v(bytes.data(), n);
        CHECK(check_sum(v) == check_sum(std::string(v)));  // a function of the bytes only
        if (n > 0) CHECK(check_sum(v) != check_sum(v.substr(0, n - 1)));
        for (size_t at = 0; at < n; at += 5) {
            for (int bit : {0, 3, 7}) {
                std::string flipped(v);
                flipped[at] = static_cast<char>(flipped[at] ^ (1 << bit));
                CHECK(check_sum(flipped) != check_sum(v));
            }
        }
    }
    // Equal words swapped between lanes or positions are told apart.
    std::string a(64, 'a'), b = a;
    a[0] = 'x';
    b[8] = 'x';
    CHECK(check_sum(a) != check_sum(b));
}
