#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "index/index_path.hpp"
#include "mailbox/mailbox.hpp"
#include "mailbox/mailbox_id.hpp"

namespace {

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/mailbox-id-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

std::string slurp(const std::string& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool is_hex_id(const std::string& id) {
    return id.size() == 32 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// A mailbox with no id of its own (as mbx and unix).
class PlainMailbox : public mail::Mailbox {
public:
    explicit PlainMailbox(std::string id = {}) : id_(std::move(id)) {}
    bool read_only() const override { return true; }
    mail::Uid uidvalidity() const override { return 42; }
    mail::Uid uidnext() const override { return 1; }
    std::optional<size_t> keyword_bit(std::string_view, bool) override { return std::nullopt; }
    mail::MessageContent content(size_t) override { throw std::runtime_error("no messages"); }
    std::unique_ptr<mail::AppendSink> append(const mail::AppendRequest&) override { return nullptr; }
    void set_flags(size_t, uint32_t, mail::KeywordMask) override {}
    void expunge(mail::EventSink&, const std::vector<mail::Uid>*) override {}
    void sync(mail::EventSink&, bool) override {}
    std::string mailbox_id() const override { return id_; }

private:
    std::string id_;
};

}  // namespace

TEST_CASE("id file is created once with a random 128-bit hex id", "[objectid]") {
    TempDir dir;
    std::string path = dir.path + "/sub/box.id";
    std::string id = mail::read_or_create_id_file(path);
    CHECK(is_hex_id(id));
    CHECK(slurp(path) == id + "\n");
    CHECK(mail::read_or_create_id_file(path) == id);  // read back, not replaced
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(mail::read_or_create_id_file(dir.path + "/sub/other.id") != id);
}

TEST_CASE("id file contents", "[objectid]") {
    struct Case {
        const char* contents;
        const char* expected;  // "" : replaced by a new random id
    } cases[] = {
        {"0123456789abcdef0123456789abcdef\n", "0123456789abcdef0123456789abcdef"},
        {"0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef"},
        {"Another_id-1\r\n", "Another_id-1"},
        {"", ""},
        {"\n", ""},
        {"bad id\n", ""},
        {"bad/id\n", ""},
    };
    for (const Case& c : cases) {
        TempDir dir;
        std::string path = dir.path + "/box.id";
        std::ofstream(path) << c.contents;
        std::string id = mail::read_or_create_id_file(path);
        INFO("contents: " << c.contents);
        if (*c.expected) {
            CHECK(id == c.expected);
        } else {
            CHECK(is_hex_id(id));
            CHECK(slurp(path) == id + "\n");
        }
    }
}

TEST_CASE("id file that cannot be created", "[objectid]") {
    CHECK(mail::read_or_create_id_file("/proc/no-such-dir/box.id").empty());
}

TEST_CASE("mailbox_id prefers the driver's id, else the index file", "[objectid]") {
    TempDir dir;
    std::string box_path = dir.path + "/mail/box";
    PlainMailbox own("driver-guid");
    CHECK(mail::mailbox_id(own, box_path, "") == "driver-guid");

    PlainMailbox plain;
    std::string id = mail::mailbox_id(plain, box_path, "");
    CHECK(is_hex_id(id));
    CHECK(slurp(mail::index_file_path(box_path, "", "id")) == id + "\n");
    CHECK(mail::mailbox_id(plain, box_path, "") == id);

    // With index_dir set the file lives there.
    std::string index_dir = dir.path + "/index";
    std::string other = mail::mailbox_id(plain, box_path, index_dir);
    CHECK(is_hex_id(other));
    CHECK(slurp(mail::index_file_path(box_path, index_dir, "id")) == other + "\n");

    // A driver id that is not a valid objectid is not used.
    PlainMailbox bad("has space");
    CHECK(mail::mailbox_id(bad, box_path, "") == id);
}

TEST_CASE("mailbox_id without a writable place is derived and stable", "[objectid]") {
    PlainMailbox plain;
    std::string a = mail::mailbox_id(plain, "/proc/no-such/box", "");
    CHECK(mail::is_object_id(a));
    CHECK(mail::mailbox_id(plain, "/proc/no-such/box", "") == a);
    CHECK(mail::mailbox_id(plain, "/proc/no-such/other", "") != a);
}

TEST_CASE("id file moves with RENAME and goes with DELETE", "[objectid]") {
    TempDir dir;
    std::string from = dir.path + "/a", to = dir.path + "/b";
    std::ofstream(from) << "";
    std::string id = mail::read_or_create_id_file(mail::index_file_path(from, "", "id"));
    mail::rename_index_files(from, to, "");
    CHECK(mail::read_or_create_id_file(mail::index_file_path(to, "", "id")) == id);
    mail::remove_index_files(to, "");
    CHECK(mail::read_or_create_id_file(mail::index_file_path(to, "", "id")) != id);
}

TEST_CASE("email_id", "[objectid]") {
    struct Case {
        const char* mailbox_id;
        mail::Uid uid;
        const char* expected;
    } cases[] = {
        {"0123456789abcdef0123456789abcdef", 1, "M0123456789ab1"},
        {"0123456789abcdef0123456789abcdef", 255, "M0123456789abff"},
        {"0123456789abcdef0123456789abcdef", 4294967295u, "M0123456789abffffffff"},
        {"short", 16, "Mshort_______10"},
    };
    for (const Case& c : cases) {
        CHECK(mail::email_id(c.mailbox_id, c.uid) == c.expected);
        CHECK(mail::is_object_id(mail::email_id(c.mailbox_id, c.uid)));
    }
}

TEST_CASE("is_object_id", "[objectid]") {
    struct Case {
        std::string id;
        bool expected;
    } cases[] = {
        {"abc", true},           {"A-z_09", true},         {"", false},
        {"a b", false},          {"a.b", false},           {"(x)", false},
        {std::string(255, 'a'), true}, {std::string(256, 'a'), false},
    };
    for (const Case& c : cases) CHECK(mail::is_object_id(c.id) == c.expected);
}
