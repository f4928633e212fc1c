#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "index/index_path.hpp"

namespace {

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/index-path-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

bool exists(const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0;
}

void touch(const std::string& p) { std::ofstream(p) << "x"; }

}  // namespace

TEST_CASE("index files sit inside a maildir and beside a mailbox file", "[index]") {
    TempDir t;
    ::mkdir((t.path + "/Maildir").c_str(), 0700);
    CHECK(mail::index_file_path(t.path + "/Maildir", "", "cache") == t.path + "/Maildir/imapd-cache");
    CHECK(mail::index_file_path(t.path + "/mail/Sent", "", "modseq") == t.path + "/mail/.imapd/Sent.modseq");
    CHECK(mail::index_file_path("/home/fred/mail/a%b", "/var/idx", "cache") ==
          "/var/idx/%2Fhome%2Ffred%2Fmail%2Fa%25b.cache");
    std::string long_path = "/" + std::string(300, 'x');
    std::string hashed = mail::index_file_path(long_path, "/var/idx", "cache");
    CHECK(hashed.size() < 10 + 220);
    CHECK(hashed != mail::index_file_path(long_path + "y", "/var/idx", "cache"));
}

TEST_CASE("index files follow a mailbox file through rename and delete", "[index]") {
    TempDir t;
    std::string a = t.path + "/a", ab = t.path + "/a.b", b = t.path + "/sub/b";
    touch(a);
    touch(ab);
    std::string cache = mail::index_file_path(a, "", "cache");
    REQUIRE(mail::make_index_dir(cache));
    touch(cache);
    touch(mail::index_file_path(a, "", "modseq"));
    touch(mail::index_file_path(ab, "", "cache"));  // another mailbox's file: must stay

    ::mkdir((t.path + "/sub").c_str(), 0700);
    mail::rename_index_files(a, b, "");
    CHECK_FALSE(exists(cache));
    CHECK(exists(t.path + "/sub/.imapd/b.cache"));
    CHECK(exists(t.path + "/sub/.imapd/b.modseq"));
    CHECK(exists(t.path + "/.imapd/a.b.cache"));

    mail::remove_index_files(b, "");
    CHECK_FALSE(exists(t.path + "/sub/.imapd/b.cache"));
    CHECK_FALSE(exists(t.path + "/sub/.imapd/b.modseq"));
    CHECK(exists(t.path + "/.imapd/a.b.cache"));
}

TEST_CASE("make_index_dir creates a missing index_dir", "[index]") {
    TempDir t;
    std::string file = mail::index_file_path("/home/x/INBOX", t.path + "/idx", "cache");
    CHECK(mail::make_index_dir(file));
    CHECK(exists(t.path + "/idx"));
    CHECK_FALSE(mail::make_index_dir("/proc/no/such/place/x.cache"));
}
