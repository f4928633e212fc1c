// dmail's command line and its exit codes.
#include <catch2/catch.hpp>

#include <sysexits.h>

#include <string>
#include <vector>

#include "dmail/args.hpp"
#include "dmail/exit_codes.hpp"

using namespace mail::dmail;

namespace {

ParsedArgs parse(std::vector<std::string_view> words) { return parse_args(words); }

}  // namespace

TEST_CASE("dmail arguments", "[dmail]") {
    SECTION("nothing: INBOX of the invoking user") {
        auto r = parse({});
        REQUIRE(r.error.empty());
        CHECK(r.args.folder.empty());
        CHECK(r.args.user.empty());
        CHECK_FALSE(r.args.debug);
    }
    SECTION("every option") {
        auto r = parse({"-c", "/etc/x.conf", "-D", "-f", "a@b", "-k", "one two,three", "-I", "~/in", "+work/sub"});
        REQUIRE(r.error.empty());
        CHECK(r.args.config_path == "/etc/x.conf");
        CHECK(r.args.debug);
        CHECK(r.args.from == "a@b");
        CHECK(r.args.keywords == std::vector<std::string>{"one", "two", "three"});
        CHECK(r.args.inbox == "~/in");
        CHECK(r.args.folder == "work/sub");
    }
    SECTION("values joined to the option, -r, USER") {
        auto r = parse({"-ra@b", "-kx", "-ky,z", "alice"});
        REQUIRE(r.error.empty());
        CHECK(r.args.from == "a@b");
        CHECK(r.args.keywords == std::vector<std::string>{"x", "y", "z"});
        CHECK(r.args.user == "alice");
    }
    SECTION("usage errors") {
        std::vector<std::vector<std::string_view>> bad = {
            {"-x"}, {"-f"}, {"-f", "a", "-r", "b"}, {"+"}, {"+a", "+b"}, {"alice", "bob"}, {"-c"}, {"-f", ""}, {""},
        };
        for (const auto& words : bad) {
            INFO(words.size() << " words, first " << words[0]);
            CHECK_FALSE(parse(words).error.empty());
        }
    }
    SECTION("-- ends the options") {
        auto r = parse({"--", "-alice"});
        REQUIRE(r.error.empty());
        CHECK(r.args.user == "-alice");
    }
}

TEST_CASE("dmail keyword splitting", "[dmail]") {
    CHECK(split_keywords("") == std::vector<std::string>{});
    CHECK(split_keywords(" a ,, b\tc ") == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("dmail keyword validity", "[dmail]") {
    for (auto good : {"work", "$Label1", "$Junk", "a.b-c_d", "NonJunk"}) CHECK(is_valid_keyword(good));
    for (auto bad : {"", "\\Seen", "a b", "a(b", "a)b", "a{b", "a%", "a*", "a\"b", "a]b", "caf\xc3\xa9", "a\x01" "b"})
        CHECK_FALSE(is_valid_keyword(bad));
    CHECK_FALSE(is_valid_keyword(std::string(65, 'k')));
}

TEST_CASE("dmail exit codes", "[dmail]") {
    using mail::ErrorKind;
    CHECK(exit_code_for(ErrorKind::Busy) == EX_TEMPFAIL);
    CHECK(exit_code_for(ErrorKind::NoSpace) == EX_TEMPFAIL);
    CHECK(exit_code_for(ErrorKind::Io) == EX_TEMPFAIL);
    CHECK(exit_code_for(ErrorKind::Corrupt) == EX_TEMPFAIL);
    CHECK(exit_code_for(ErrorKind::Permission) == EX_TEMPFAIL);
    CHECK(exit_code_for(ErrorKind::TooBig) == EX_NOPERM);
    CHECK(exit_code_for(ErrorKind::Invalid) == EX_DATAERR);
    CHECK(exit_code_for(ErrorKind::NotFound) == EX_CANTCREAT);
    CHECK(exit_code_for_errno(EACCES) == EX_TEMPFAIL);
    CHECK(exit_code_for_errno(ENOSPC) == EX_TEMPFAIL);
    CHECK(exit_code_for_errno(EIO) == EX_TEMPFAIL);
}
