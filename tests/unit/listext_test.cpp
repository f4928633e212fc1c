// LIST-EXTENDED / LIST-STATUS / CREATE-SPECIAL-USE parsers, the special-use
// configuration and file, and the quota arithmetic.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

#include "imapd/protocol/create_request.hpp"
#include "imapd/protocol/list_request.hpp"
#include "imapd/protocol/parse_error.hpp"
#include "mailbox/special_use.hpp"
#include "quota/quota.hpp"
#include "util/error.hpp"

using namespace mail;
using namespace mail::imapd;

namespace {

ListExtendedRequest list(const std::string& text) {
    ArgReader a(text);
    return parse_list_request(a);
}

}  // namespace

TEST_CASE("LIST-EXTENDED arguments", "[listext]") {
    struct Case {
        std::string input;
        ListExtendedRequest expected;
    };
    const Case cases[] = {
        {"\"\" %", {0, "", {"%"}, 0, {}, false}},
        {"\"\" (%)", {0, "", {"%"}, 0, {}, true}},
        {"() \"\" *", {0, "", {"*"}, 0, {}, true}},
        {"(subscribed) \"\" (INBOX* Work/%)", {kSelectSubscribed, "", {"INBOX*", "Work/%"}, 0, {}, true}},
        {"(SUBSCRIBED RECURSIVEMATCH REMOTE) a/ %",
         {kSelectSubscribed | kSelectRecursiveMatch | kSelectRemote, "a/", {"%"}, 0, {}, true}},
        {"(SPECIAL-USE RECURSIVEMATCH) \"\" *", {kSelectSpecialUse | kSelectRecursiveMatch, "", {"*"}, 0, {}, true}},
        {"\"\" * RETURN ()", {0, "", {"*"}, 0, {}, true}},
        {"\"\" * RETURN (children subscribed SPECIAL-USE)",
         {0, "", {"*"}, kReturnChildren | kReturnSubscribed | kReturnSpecialUse, {}, true}},
        {"\"\" * RETURN (STATUS (MESSAGES SIZE) CHILDREN)",
         {0, "", {"*"}, kReturnStatus | kReturnChildren, {kStatusMessages, kStatusSize}, true}},
    };
    for (const Case& c : cases) {
        INFO(c.input);
        CHECK(list(c.input) == c.expected);
    }
}

TEST_CASE("LIST-EXTENDED errors are BAD", "[listext]") {
    const char* bad[] = {
        "(FOO) \"\" *",                          // unknown selection option
        "(RECURSIVEMATCH) \"\" *",               // RECURSIVEMATCH alone
        "(RECURSIVEMATCH REMOTE) \"\" *",        // ... or only with REMOTE
        "\"\" * RETURN (FOO)",                   // unknown return option
        "\"\" * RETURN (STATUS)",                // STATUS without items
        "\"\" * RETURN (STATUS (BOGUS))",        // unknown status item
        "\"\" * RETURN (STATUS (MESSAGES) STATUS (UNSEEN))",
        "\"\" * CHILDREN",                       // no RETURN keyword
        "\"\" ()",                               // empty pattern list
        "\"\" * RETURN (CHILDREN",               // unclosed
    };
    for (const char* text : bad) {
        INFO(text);
        CHECK_THROWS_AS(list(text), ParseError);
    }
}

TEST_CASE("CREATE with USE", "[listext]") {
    struct Case {
        std::string input;
        CreateRequest expected;
    };
    const Case cases[] = {
        {"Sent", {"Sent", {}}},
        {"inbox", {"INBOX", {}}},
        {"Sent (USE (\\Sent))", {"Sent", {"\\Sent"}}},
        {"Old (use (\\Archive \\Bogus))", {"Old", {"\\Archive", "\\Bogus"}}},  // unknown: the handler's NO
    };
    for (const Case& c : cases) {
        INFO(c.input);
        ArgReader a(c.input);
        CHECK(parse_create(a) == c.expected);
    }
    for (const char* text : {"x (FOO (\\Sent))", "x (USE (Sent))", "x (USE ())", "x (USE (\\Sent)", "x ()"}) {
        INFO(text);
        ArgReader a(text);
        CHECK_THROWS_AS(parse_create(a), ParseError);
    }
}

TEST_CASE("special_use configuration and per-user file", "[listext]") {
    CHECK(special_use_attribute("\\sent") == "\\Sent");
    CHECK(special_use_attribute("\\ALL") == "\\All");
    CHECK(special_use_attribute("\\Inbox").empty());
    CHECK(special_use_attribute("Sent").empty());

    CHECK(parse_special_use_config("").empty());
    CHECK(parse_special_use_config(" Sent:\\Sent, Drafts:\\Drafts ,Old/Mail:\\Archive,Old/Mail:\\Flagged") ==
          SpecialUseMap{{"Sent", {"\\Sent"}}, {"Drafts", {"\\Drafts"}}, {"Old/Mail", {"\\Archive", "\\Flagged"}}});
    CHECK(parse_special_use_config("inbox:\\All") == SpecialUseMap{{"INBOX", {"\\All"}}});
    for (const char* bad : {"Sent", "Sent:\\Bogus", ":\\Sent", "../x:\\Sent", "Sent:Sent"}) {
        INFO(bad);
        CHECK_THROWS_AS(parse_special_use_config(bad), MailError);
    }

    SpecialUseMap uses{{"Junk", {"\\Junk"}}, {"Old", {"\\Archive", "\\Flagged"}}, {"Empty", {}}};
    std::string text = format_special_use_file(uses);
    CHECK(text == "Junk\t\\Junk\nOld\t\\Archive \\Flagged\n");
    uses.erase("Empty");
    CHECK(parse_special_use_file(text) == uses);
    // Damaged lines are skipped, unknown attributes dropped.
    CHECK(parse_special_use_file("no tab\n\t\\Sent\nX\t\\Bogus \\Trash") == SpecialUseMap{{"X", {"\\Trash"}}});
}

TEST_CASE("special-use file is written atomically and read back", "[listext]") {
    auto dir = std::filesystem::temp_directory_path() / ("listext-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    StoreLocation loc{"maildir", dir.string(), "", ""};
    Store store(loc);
    CHECK(special_use_file(loc) == dir.string() + "/.imapd-special-use");
    CHECK(load_special_use(special_use_file(loc)).empty());
    set_user_special_use(store, "Junk", {"\\Junk"});
    set_user_special_use(store, "Old", {});  // nothing recorded: nothing written
    CHECK(load_special_use(special_use_file(loc)) == SpecialUseMap{{"Junk", {"\\Junk"}}});
    StoreSettings settings;
    settings.special_use = {{"Sent", {"\\Sent"}}, {"Junk", {"\\Trash"}}};
    store.set_settings(settings);
    CHECK(effective_special_use(store) == SpecialUseMap{{"Junk", {"\\Junk"}}, {"Sent", {"\\Sent"}}});
    set_user_special_use(store, "Junk", {});
    CHECK(load_special_use(special_use_file(loc)).empty());
    std::filesystem::remove_all(dir);
}

TEST_CASE("maildir S= sizes", "[listext]") {
    struct Case {
        std::string name;
        std::optional<uint64_t> size;
    };
    const Case cases[] = {
        {"1700000000.M1P2.host,S=1234,W=1260:2,S", 1234},
        {"1700000000.M1P2.host,W=1260,S=99", 99},
        {"1700000000.M1P2.host:2,S", std::nullopt},
        {"1700000000.M1P2.host,S=:2,", std::nullopt},
        {"1700000000.M1P2.host,S=12x:2,", std::nullopt},
        {"1700000000.M1P2.host:2,,S=5", std::nullopt},  // after ':' is flags
    };
    for (const Case& c : cases) {
        INFO(c.name);
        CHECK(maildir_name_size(c.name) == c.size);
    }
}

TEST_CASE("quota limits", "[listext]") {
    StoreSettings none;
    CHECK_FALSE(quota_limited(none));
    CHECK_NOTHROW(check_quota(none, {1u << 30, 1000000}, 1u << 30, 1));
    StoreSettings limits;
    limits.quota_storage = 1000;
    limits.quota_messages = 3;
    CHECK(quota_limited(limits));
    CHECK_NOTHROW(check_quota(limits, {900, 2}, 100, 1));  // exactly at the limits
    CHECK_THROWS_WITH(check_quota(limits, {900, 2}, 101, 1), Catch::Contains("[OVERQUOTA]"));
    CHECK_THROWS_WITH(check_quota(limits, {0, 3}, 1, 1), Catch::Contains("[OVERQUOTA]"));
    try {
        check_quota(limits, {999, 0}, 2, 1);
        FAIL("no error");
    } catch (const MailError& e) {
        CHECK(e.kind() == ErrorKind::NoSpace);
    }
}
