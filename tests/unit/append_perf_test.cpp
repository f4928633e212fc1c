// APPEND into a mailbox the appender has open read-write (imapd's selected
// mailbox): the instance knows its own message without parsing or writing
// the file again at its next sync, takes \Recent for it, and another
// session sees the same UID and flags; a Deliver instance leaves \Recent
// for the next session. The unix append journal is empty once committed.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "drivers/mbx/driver.hpp"
#include "drivers/mbx/mbx_mailbox.hpp"
#include "drivers/unix/driver.hpp"
#include "drivers/unix/unix_mailbox.hpp"
#include "index/index_path.hpp"

using namespace mail;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path dir;
    TempDir() {
        char tmpl[] = "/tmp/append-perf-XXXXXX";
        dir = ::mkdtemp(tmpl);
    }
    ~TempDir() { fs::remove_all(dir); }
};

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct Sink : EventSink {
    std::vector<std::string> events;
    void expunged(size_t seq) override { events.push_back("expunged " + std::to_string(seq)); }
    void exists(size_t n) override { events.push_back("exists " + std::to_string(n)); }
    void flags_changed(size_t seq) override { events.push_back("flags " + std::to_string(seq)); }
};

Uid add(Mailbox& box, std::string_view text, uint32_t flags) {
    AppendRequest req;
    req.flags = flags;
    req.internal_date = 1700000000;
    auto sink = box.append(req);
    sink->write(text);
    return sink->commit();
}

struct Case {
    uint32_t flags;  // requested
    uint32_t seen_by_appender;
};

const Case kCases[] = {
    {0, kRecent},
    {kSeen, kSeen | kRecent},
    {kFlagged | kAnswered, kFlagged | kAnswered | kRecent},
    {kDraft | kDeleted | kSeen, kDraft | kDeleted | kSeen | kRecent},
};

}  // namespace

TEST_CASE("mbx: the appender's own message needs no parse or write at its sync", "[append-perf]") {
    for (const Case& c : kCases) {
        TempDir t;
        const std::string path = (t.dir / "box").string();
        mbx::MbxDriver().create(path);
        mbx::MbxMailbox a(path, OpenMode::ReadWrite);
        Sink sa;
        a.sync(sa, true);
        const Uid uid = add(a, "Subject: x\n\nbody\n", c.flags);
        CHECK(uid == 1);
        const std::string after_append = slurp(path);
        a.sync(sa, true);
        CHECK(sa.events == std::vector<std::string>{"exists 1"});
        REQUIRE(a.count() == 1);
        CHECK(a.at(0).uid == uid);
        CHECK(a.at(0).flags == c.seen_by_appender);
        CHECK(slurp(path) == after_append);  // nothing written at the sync

        mbx::MbxMailbox b(path, OpenMode::ReadWrite);  // another session: not \Recent there
        Sink sb;
        b.sync(sb, true);
        REQUIRE(b.count() == 1);
        CHECK(b.at(0).uid == uid);
        CHECK(b.at(0).flags == (c.seen_by_appender & ~kRecent));
        CHECK(b.at(0).size == a.at(0).size);
    }
}

TEST_CASE("mbx: a Deliver append stays \\Recent for the next session", "[append-perf]") {
    TempDir t;
    const std::string path = (t.dir / "box").string();
    mbx::MbxDriver().create(path);
    {
        mbx::MbxMailbox d(path, OpenMode::Deliver);
        add(d, "Subject: x\n\nbody\n", kSeen);
    }
    mbx::MbxMailbox b(path, OpenMode::ReadWrite);
    Sink sb;
    b.sync(sb, true);
    REQUIRE(b.count() == 1);
    CHECK(b.at(0).flags == (kSeen | kRecent));
}

TEST_CASE("unix: the journal is empty after a commit, the appender sees its message", "[append-perf]") {
    for (const Case& c : kCases) {
        TempDir t;
        const std::string path = (t.dir / "box").string();
        unixmbox::UnixDriver().create(path);
        unixmbox::UnixMailbox a(path, OpenMode::ReadWrite);
        Sink sa;
        a.sync(sa, true);
        const Uid first = add(a, "Subject: 1\n\nFrom the start\n", c.flags);
        const Uid second = add(a, "Subject: 2\n\nno newline at the end", 0);
        CHECK(second == first + 1);
        const std::string journal = index_file_path(path, "", "append");
        REQUIRE(fs::exists(journal));
        CHECK(fs::file_size(journal) == 0);
        a.sync(sa, true);
        CHECK(sa.events == std::vector<std::string>{"exists 2"});
        REQUIRE(a.count() == 2);
        CHECK(a.at(0).flags == c.seen_by_appender);
        CHECK(a.at(1).uid == second);
        const std::string bytes = slurp(path);
        CHECK(bytes.find("\n>From the start\n") != std::string::npos);
        CHECK(bytes.back() == '\n');
    }
}
