// A mailbox opened to deliver (OpenMode::Deliver: APPEND and COPY targets,
// dmail) takes no \Recent: the messages it sees, and the ones it appends,
// stay recent for the next session that selects the mailbox, in mbx and in
// unix. [formats2]
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "drivers/mbx/driver.hpp"
#include "drivers/unix/driver.hpp"

using namespace mail;

namespace {

std::string temp_dir() {
    char tmpl[] = "/tmp/deliver-recent-XXXXXX";
    REQUIRE(::mkdtemp(tmpl));
    return tmpl;
}

void put(Mailbox& box, const std::string& subject) {
    auto sink = box.append(AppendRequest{});
    sink->write("Subject: " + subject + "\r\n\r\nbody\r\n");
    sink->commit();
}

size_t recent_count(Mailbox& box) {
    size_t n = 0;
    for (size_t i = 0; i < box.count(); ++i)
        if (box.at(i).flags & kRecent) ++n;
    return n;
}

}  // namespace

TEST_CASE("deliver: opening to append takes no \\Recent (mbx, unix)", "[formats2]") {
    mbx::MbxDriver mbx_driver;
    unixmbox::UnixDriver unix_driver;
    for (Driver* driver : {static_cast<Driver*>(&mbx_driver), static_cast<Driver*>(&unix_driver)}) {
        INFO(driver->name());
        std::string dir = temp_dir(), path = dir + "/box";
        driver->create(path);
        {
            auto box = driver->open(path, OpenMode::Deliver);  // two deliveries, each its own open
            put(*box, "one");
        }
        {
            auto box = driver->open(path, OpenMode::Deliver);
            put(*box, "two");
            NullEventSink sink;
            box->sync(sink, true);  // a Deliver session that reads its own append back
        }
        {
            auto box = driver->open(path, OpenMode::Deliver);  // and an open that appends nothing
            NullEventSink sink;
            box->sync(sink, true);
        }
        {
            auto peek = driver->open(path, OpenMode::ReadOnly);
            CHECK(peek->count() == 2);
        }
        {
            auto first = driver->open(path, OpenMode::ReadWrite);
            REQUIRE(first->count() == 2);
            CHECK(recent_count(*first) == 2);  // still new to the first session that selects it
        }
        if (driver == &mbx_driver) {
            // mbx writes fOLD as it reads; unix writes "Status: O" only when a
            // rewrite (flags, expunge) happens, as UW's unix driver does.
            auto second = driver->open(path, OpenMode::ReadWrite);
            REQUIRE(second->count() == 2);
            CHECK(recent_count(*second) == 0);  // taken by the first
        }
        std::system(("rm -rf " + dir).c_str());
    }
}

TEST_CASE("deliver: a unix mbox rewritten by a Deliver open keeps its new messages new", "[formats2]") {
    // procmail's mbox has no X-IMAP: the first open of ours writes UIDs (a
    // rewrite), and a delivery with a new keyword rewrites again at close.
    unixmbox::UnixDriver driver;
    std::string dir = temp_dir(), path = dir + "/box";
    {
        std::FILE* f = std::fopen(path.c_str(), "w");
        REQUIRE(f);
        std::fputs("From a@example.org Mon Jan  1 00:00:00 2024\nSubject: new\n\nnew\n\n"
                   "From b@example.org Mon Jan  1 00:00:01 2024\nStatus: RO\nSubject: old\n\nold\n\n", f);
        std::fclose(f);
    }
    {
        auto box = driver.open(path, OpenMode::Deliver);
        AppendRequest req;
        req.keywords = {"$label1"};
        auto sink = box->append(req);
        sink->write("Subject: delivered\r\n\r\nbody\r\n");
        sink->commit();
    }
    auto box = driver.open(path, OpenMode::ReadWrite);
    REQUIRE(box->count() == 3);
    CHECK((box->at(0).flags & kRecent) != 0);  // "new": procmail's, never read
    CHECK((box->at(1).flags & kRecent) == 0);  // "old": Status O
    CHECK((box->at(2).flags & kRecent) != 0);  // the delivery
    CHECK(box->at(2).keywords == 1);
    box.reset();
    std::system(("rm -rf " + dir).c_str());
}
