// Keywords given with an append reach the mailbox's keyword table (X-IMAP /
// X-IMAPbase): UW c-client honours X-Keywords only for keywords listed
// there, so without it UW (mailutil copy, UW imapd) drops them. [unix]
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "drivers/unix/driver.hpp"

using namespace mail;

namespace {

std::string read_all(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

// The X-IMAP or X-IMAPbase line of the file: "VALIDITY LAST kw1 kw2 ...".
std::string uid_base_line(const std::string& file) {
    for (const char* name : {"\nX-IMAP: ", "\nX-IMAPbase: "}) {
        size_t at = file.find(name);
        if (at == std::string::npos) continue;
        at += std::string(name).size();
        return file.substr(at, file.find('\n', at) - at);
    }
    return "";
}

void append(Mailbox& box, const std::string& msg, std::vector<std::string> keywords) {
    AppendRequest req;
    req.keywords = std::move(keywords);
    auto sink = box.append(req);
    sink->write(msg);
    sink->commit();
}

}  // namespace

TEST_CASE("unix mailbox: keywords of appended messages are listed in X-IMAP", "[unix]") {
    struct Case {
        std::vector<std::vector<std::string>> appends;
        std::vector<std::string> table;  // expected keyword table, in order
    };
    const Case cases[] = {
        {{{}}, {}},
        {{{"work"}}, {"work"}},
        {{{"work", "$Label2"}, {}}, {"work", "$Label2"}},
        {{{"a"}, {"b", "a"}, {"c"}}, {"a", "b", "c"}},
    };
    for (const Case& c : cases) {
        char tmpl[] = "/tmp/unix-kw-XXXXXX";
        REQUIRE(::mkdtemp(tmpl));
        std::string path = std::string(tmpl) + "/box";
        unixmbox::UnixDriver driver;
        driver.create(path);
        for (const auto& kws : c.appends) {
            auto box = driver.open(path, OpenMode::ReadWrite);  // closed after each: as mailtool
            append(*box, "Subject: k\n\nbody\n", kws);
        }
        std::string line = uid_base_line(read_all(path));
        std::istringstream words(line);
        std::string validity, last, w;
        words >> validity >> last;
        std::vector<std::string> table;
        while (words >> w) table.push_back(w);
        CAPTURE(line);
        CHECK(table == c.table);
        auto box = driver.open(path, OpenMode::ReadOnly);
        CHECK(box->keywords() == c.table);
        REQUIRE(box->count() == c.appends.size());
        for (size_t i = 0; i < c.appends.size(); ++i) {
            std::vector<std::string> got;
            for (size_t b = 0; b < box->keywords().size(); ++b)
                if (box->at(i).keywords & (KeywordMask{1} << b)) got.push_back(box->keywords()[b]);
            std::vector<std::string> want = c.appends[i];
            std::sort(got.begin(), got.end());
            std::sort(want.begin(), want.end());
            CHECK(got == want);
        }
        std::remove(path.c_str());
        ::rmdir(tmpl);
    }
}
