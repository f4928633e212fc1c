// Two sessions of ours on one unix mailbox: relative flag changes apply to
// the stored flags (issue 16: +\Answered from one and -\Seen from the other
// leave \Answered), also when the other rewrote the mbox meanwhile; and the
// \Recent claim file hands each new UID to one session only. [unix]
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>

#include "drivers/unix/driver.hpp"
#include "drivers/unix/recent_claim.hpp"

using namespace mail;

namespace {

std::string temp_dir() {
    char tmpl[] = "/tmp/unix-conc-XXXXXX";
    REQUIRE(::mkdtemp(tmpl));
    return tmpl;
}

Uid put(Mailbox& box, const std::string& msg, uint32_t flags) {
    AppendRequest req;
    req.flags = flags;
    auto sink = box.append(req);
    sink->write(msg);
    return sink->commit();
}

uint32_t stored(const std::string& path) {
    unixmbox::UnixDriver driver;
    auto c = driver.open(path, OpenMode::ReadOnly);
    return c->at(0).flags & kStorableFlags;
}

}  // namespace

TEST_CASE("unix: relative flag changes of two sessions both count", "[unix]") {
    for (bool rewrite_between : {false, true}) {
        CAPTURE(rewrite_between);
        std::string dir = temp_dir(), path = dir + "/box";
        unixmbox::UnixDriver driver;
        driver.create(path);
        {
            auto w = driver.open(path, OpenMode::ReadWrite);
            put(*w, "Subject: 1\n\none\n", kSeen);
        }
        auto a = driver.open(path, OpenMode::ReadWrite);
        auto b = driver.open(path, OpenMode::ReadWrite);
        REQUIRE(b->at(0).flags & kSeen);
        CHECK(a->change_flags(0, FlagChange::add(kAnswered)));
        a->flush();
        if (rewrite_between) a->checkpoint();
        CHECK(b->change_flags(0, FlagChange{FlagChange::Op::Remove, kSeen, 0}));
        b->flush();
        CHECK((b->at(0).flags & kStorableFlags) == kAnswered);  // the STORE's answer
        a->checkpoint();
        b->checkpoint();
        NullEventSink sink;
        a->sync(sink, true);
        b->sync(sink, true);
        CHECK((a->at(0).flags & kStorableFlags) == kAnswered);
        CHECK((b->at(0).flags & kStorableFlags) == kAnswered);
        CHECK(stored(path) == kAnswered);
        std::system(("rm -rf " + dir).c_str());
    }
}

TEST_CASE("unix: the recent claim hands each UID to one session", "[unix]") {
    std::string dir = temp_dir(), path = dir + "/.imapd/box.recent";
    CHECK(unixmbox::claim_recent(path, 7, 3) == Uid{0});  // the first takes 1..3
    CHECK(unixmbox::claim_recent(path, 7, 3) == Uid{3});  // the next none of them
    CHECK(unixmbox::claim_recent(path, 7, 5) == Uid{3});  // 4..5
    CHECK(unixmbox::claim_recent(path, 7, 2) == Uid{5});  // lower: no change
    CHECK(unixmbox::claim_recent(path, 7, 5) == Uid{5});
    CHECK(unixmbox::claim_recent(path, 8, 1) == Uid{0});  // a new UIDVALIDITY starts over
    CHECK(unixmbox::claim_recent(path, 8, 1) == Uid{1});
    std::system(("rm -rf " + dir).c_str());
}
