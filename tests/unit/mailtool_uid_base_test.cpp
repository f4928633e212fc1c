// The library extension mailtool's copies rely on: Driver::create with a
// UidBase and AppendRequest::uid, in every driver.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "mailbox/driver.hpp"
#include "util/error.hpp"

namespace {

std::string temp_dir() {
    char tmpl[] = "/tmp/mailtool-uid-XXXXXX";
    REQUIRE(::mkdtemp(tmpl));
    return tmpl;
}

mail::Uid append(mail::Mailbox& box, mail::Uid uid) {
    mail::AppendRequest req;
    req.uid = uid;
    req.internal_date = 1600000000;
    auto sink = box.append(req);
    sink->write("Subject: x\n\nbody\n");
    return sink->commit();
}

}  // namespace

TEST_CASE("create with a UidBase, append keeping UIDs", "[migrate]") {
    for (const char* format : {"maildir", "mbx", "unix"}) {
        INFO(format);
        std::string dir = temp_dir();
        std::string path = dir + "/box";
        mail::Driver* d = mail::driver_by_name(format);
        d->create(path, mail::UidBase{123456, 20});
        {
            auto box = d->open(path, mail::OpenMode::ReadWrite);
            CHECK(box->uidvalidity() == 123456);
            CHECK(box->uidnext() == 20);
            struct {
                mail::Uid asked, got;
            } cases[] = {{3, 3}, {7, 7}, {0, 20}};  // 0: the next UID, above the created UIDNEXT
            for (const auto& c : cases) CHECK(append(*box, c.asked) == c.got);
            CHECK_THROWS_AS(append(*box, 5), mail::MailError);  // not above the last UID
        }
        auto box = d->open(path, mail::OpenMode::ReadOnly);
        REQUIRE(box->count() == 3);
        CHECK(box->at(0).uid == 3);
        CHECK(box->at(1).uid == 7);
        CHECK(box->at(2).uid == 20);
        CHECK(box->uidvalidity() == 123456);
        CHECK(box->uidnext() == 21);
        std::filesystem::remove_all(dir);
    }
}
