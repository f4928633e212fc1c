// The unix driver on real files: append, flags, expunge, sync with
// deliveries by others, hidden status lines, crash safety. [unix]
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "drivers/unix/driver.hpp"
#include "drivers/unix/scanner.hpp"

using namespace mail;

namespace {

struct Recorder : EventSink {
    std::vector<std::string> events;
    void expunged(size_t s) override { events.push_back("expunged " + std::to_string(s)); }
    void exists(size_t n) override { events.push_back("exists " + std::to_string(n)); }
    void flags_changed(size_t s) override { events.push_back("flags " + std::to_string(s)); }
};

std::string temp_dir() {
    char tmpl[] = "/tmp/unix-test-XXXXXX";
    REQUIRE(::mkdtemp(tmpl));
    return tmpl;
}

std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

std::string text(Mailbox& box, size_t i) {
    MessageContent c = box.content(i);
    std::string s(c.length(), '\0');
    c.read(0, s.data(), s.size());
    return s;
}

Uid put(Mailbox& box, const std::string& msg, uint32_t flags = 0) {
    AppendRequest req;
    req.flags = flags;
    auto sink = box.append(req);
    sink->write(msg);
    return sink->commit();
}

}  // namespace

TEST_CASE("unix mailbox: append, hidden lines, flags, expunge", "[unix]") {
    std::string dir = temp_dir(), path = dir + "/box";
    unixmbox::UnixDriver driver;
    driver.create(path);
    REQUIRE(driver.recognizes(path));
    {
        auto box = driver.open(path, OpenMode::ReadWrite);
        CHECK(put(*box, "Subject: a\r\nX-UID: 999999\r\n\r\nFrom here\r\n", kSeen) == 1);
        CHECK(put(*box, "Subject: b\n\nbody\n") == 2);
        Recorder r;
        box->sync(r, true);
        REQUIRE(box->count() == 2);
        CHECK(text(*box, 0) == "Subject: a\nX-Original-X-UID: 999999\n\n>From here\n");
        CHECK(box->at(0).size == text(*box, 0).size() + 4);
        CHECK(box->at(0).flags == (kSeen | kRecent));
        box->set_flags(1, kDeleted | kFlagged, 0);
        auto kw = box->keyword_bit("work", true);
        REQUIRE(kw);
        box->set_flags(0, kSeen | kAnswered, KeywordMask{1} << *kw);
        box->flush();
    }
    std::string file = slurp(path);
    CHECK(file.find("X-IMAP: ") != std::string::npos);
    CHECK(file.find("Status: RO\nX-Status: A\nX-Keywords: work") != std::string::npos);
    {
        auto box = driver.open(path, OpenMode::ReadWrite);
        REQUIRE(box->count() == 2);
        CHECK(box->at(0).flags == (kSeen | kAnswered));
        CHECK(box->keywords() == std::vector<std::string>{"work"});
        CHECK(box->at(1).flags == (kDeleted | kFlagged));
        Uid validity = box->uidvalidity();
        Recorder r;
        box->expunge(r);
        CHECK(r.events == std::vector<std::string>{"expunged 2"});
        CHECK(box->count() == 1);
        CHECK(text(*box, 0) == "Subject: a\nX-Original-X-UID: 999999\n\n>From here\n");
        CHECK(box->uidvalidity() == validity);
        CHECK(box->uidnext() == 3);
    }
    auto again = driver.open(path, OpenMode::ReadOnly);
    CHECK(again->count() == 1);
    CHECK(again->at(0).uid == 1);
    CHECK(again->uidnext() == 3);
}

TEST_CASE("unix mailbox: another program's delivery and rewrite are seen at sync", "[unix]") {
    std::string dir = temp_dir(), path = dir + "/box";
    unixmbox::UnixDriver driver;
    driver.create(path);
    auto a = driver.open(path, OpenMode::ReadWrite);
    auto b = driver.open(path, OpenMode::ReadWrite);
    put(*a, "Subject: 1\n\none\n");
    {  // procmail-style delivery: no status lines
        std::ofstream f(path, std::ios::app | std::ios::binary);
        f << "From someone@example.com  Wed Dec  2 05:53:22 1992\nSubject: 2\nX-UID: 4000000000\n\ntwo\n\n";
    }
    Recorder ra, rb;
    a->sync(ra, true);
    b->sync(rb, true);
    REQUIRE(a->count() == 2);
    REQUIRE(b->count() == 2);
    CHECK(a->at(1).uid == 2);  // the forged X-UID is not believed
    CHECK(b->at(1).uid == 2);
    a->set_flags(0, kDeleted, 0);
    Recorder rx;
    a->expunge(rx);
    b->set_flags(1, kFlagged, 0);
    Recorder rb2;
    b->sync(rb2, true);
    CHECK(rb2.events.front() == "expunged 1");
    REQUIRE(b->count() == 1);
    CHECK(b->at(0).uid == 2);
    CHECK((b->at(0).flags & kFlagged));  // pending change survives the reread
    CHECK(text(*b, 0) == "Subject: 2\n\ntwo\n");
}

TEST_CASE("unix mailbox: killed appends and expunges leave committed messages whole", "[unix]") {
    std::string dir = temp_dir(), path = dir + "/box";
    unixmbox::UnixDriver driver;
    driver.create(path);
    std::string body(20000, 'x');
    body += "\n";
    srand(7);
    size_t committed = 0;
    for (int round = 0; round < 30; ++round) {
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        pid_t pid = ::fork();
        if (pid == 0) {
            ::close(fds[0]);
            try {
                auto box = driver.open(path, OpenMode::ReadWrite);
                for (int i = 0;; ++i) {
                    put(*box, "Subject: m\n\n" + body);
                    (void)!::write(fds[1], "c", 1);
                    if (i % 3 == 0) {
                        box->set_flags(0, kSeen, 0);
                        box->flush();
                    }
                }
            } catch (...) {
            }
            ::_exit(0);
        }
        ::close(fds[1]);
        ::usleep(static_cast<useconds_t>(1000 + rand() % 20000));
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        char c;
        while (::read(fds[0], &c, 1) == 1) ++committed;
        ::close(fds[0]);
        ::unlink((path + ".lock").c_str());  // the killed holder's dot lock
    }
    std::string file = slurp(path);
    bool bad = true;
    auto msgs = unixmbox::scan_bytes(file, &bad);
    CHECK_FALSE(bad);
    size_t whole = 0;
    for (const auto& m : msgs) {
        if (m.pseudo) continue;
        std::string t;
        for (auto r : m.visible) t += file.substr(r.offset, r.length);
        if (t == "Subject: m\n\n" + body) ++whole;
    }
    CHECK(whole >= committed);
    CHECK(whole <= committed + 30);  // at most one unfinished message per kill
}
