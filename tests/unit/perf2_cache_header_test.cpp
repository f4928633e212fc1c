// SEARCH header keys, SORT and THREAD keys from the on-disk cache's header
// fields (cache/header_fields.hpp): with a warm cache no message is read,
// answers equal the ones computed from the messages, keys on fields the
// cache does not keep (BCC, other HEADER names, TEXT) still read them, and a
// miss parses the header once and adds it to the cache for the next session.
#include <catch2/catch.hpp>

#include "counting_mailbox.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cache/header_fields.hpp"
#include "imapd/protocol/arg_reader.hpp"
#include "imapd/protocol/search_program.hpp"
#include "search/search.hpp"
#include "sort/sort_keys.hpp"

using namespace mail;

namespace {

using test::CountingMailbox;
using test::TempDir;

const std::vector<std::string> kMessages = {
    "From: Alice Example <alice@example.org>\r\nTo: bob@example.com\r\n"
    "Subject: Re: Budget\r\n meeting notes\r\nDate: Mon, 1 Jan 2024 23:30:00 -0500\r\n"
    "Message-ID: <a1@example.org>\r\nBcc: secret@example.org\r\nX-Tag: red\r\n\r\nbody one\r\n",
    "From: =?ISO-8859-1?Q?J=F6rg?= <joerg@example.de>\r\nTo: alice@example.org\r\n"
    "Cc: carol@example.net\r\nSubject: =?ISO-8859-1?Q?Caf=E9?=\r\nDate: Tue, 2 Jan 2024 10:00:00 +0100\r\n"
    "References: <a1@example.org>\r\n\r\nbody two meeting\r\n",
    "From: carol@example.net\r\nSubject: agenda\r\nX-Tag: blue\r\n\r\nno date here\r\n",
};

using test::all_indexes;
using test::run;

}  // namespace

TEST_CASE("SEARCH header keys on a warm cache read no message", "[perf2]") {
    TempDir dir;
    const std::string path = dir.path + "/box.cache";
    CountingMailbox mb(kMessages);
    {  // a first session fills the cache through the miss path
        MessageCache cache;
        cache.attach(path, mb.uidvalidity());
        CHECK(run(mb, "SUBJECT budget", &cache) == std::vector<size_t>{1});
        CHECK(mb.reads == 3);
        CHECK(run(mb, "SUBJECT budget", &cache) == std::vector<size_t>{1});
        CHECK(mb.reads == 6);  // queued, not yet written: read again
        cache.flush();
    }
    struct Case {
        std::string program;
        std::vector<size_t> expected;
        bool reads_messages;  // a key on a field the cache does not keep
    };
    const std::vector<Case> cases = {
        {"SUBJECT budget", {1}, false},
        {"SUBJECT \"meeting notes\"", {1}, false},   // folded continuation line
        {"SUBJECT {5}\r\ncaf\xC3\xA9", {2}, false},  // RFC 2047 decoded
        {"FROM {5}\r\nj\xC3\xB6rg", {2}, false},
        {"FROM alice", {1}, false},
        {"TO alice", {2}, false},
        {"CC carol", {2}, false},
        {"HEADER Message-ID a1@", {1}, false},
        {"HEADER References \"\"", {2}, false},       // present
        {"NOT HEADER Date \"\"", {3}, false},
        {"SENTBEFORE 2-Jan-2024", {1, 3}, false},     // no Date: counts as 1970
        {"SENTON 1-Jan-2024", {1}, false},
        {"OR FROM carol SUBJECT budget", {1, 3}, false},
        {"BCC secret", {1}, true},
        {"HEADER X-Tag blue", {3}, true},
        {"TEXT meeting", {1, 2}, true},
        {"SUBJECT agenda BODY date", {3}, true},       // the body is still read
    };
    for (const Case& c : cases) {
        SECTION(c.program) {
            MessageCache cache;
            cache.attach(path, mb.uidvalidity());
            mb.reads = 0;
            CHECK(run(mb, c.program, &cache) == c.expected);
            CHECK((mb.reads > 0) == c.reads_messages);
            // The same answer without a cache, from the messages.
            CHECK(run(mb, c.program, nullptr) == c.expected);
        }
    }
}

TEST_CASE("cached header fields: a miss parses once and the cache answers after", "[perf2]") {
    TempDir dir;
    const std::string path = dir.path + "/box.cache";
    CountingMailbox mb(kMessages);
    MessageCache cache;
    cache.attach(path, mb.uidvalidity());
    std::string fields = cached_header_fields(mb, 0, &cache);
    CHECK(mb.reads == 1);
    CHECK(fields == select_cached_header_fields(kMessages[0]));
    CHECK(fields.find("Bcc:") == std::string::npos);
    cache.flush();
    CHECK(cached_header_fields(mb, 0, &cache) == fields);
    CHECK(mb.reads == 1);
    const MessageInfo& info = mb.at(0);
    CachedFields known = cache.fields({info.uid, info.size, info.internal_date});
    REQUIRE(known.sent_date);
    CHECK(*known.sent_date == 1704169800);  // added with the fields, as FETCH does
    // Without a cache: read every time.
    CHECK(cached_header_fields(mb, 0, nullptr) == fields);
    CHECK(mb.reads == 2);
    CHECK(is_cached_header_name("message-id"));
    CHECK_FALSE(is_cached_header_name("Bcc"));
}

TEST_CASE("SORT keys on a warm cache read no message and equal the header's", "[perf2]") {
    TempDir dir;
    const std::string path = dir.path + "/box.cache";
    CountingMailbox mb(kMessages);
    {
        MessageCache cache;
        cache.attach(path, mb.uidvalidity());
        SortKeyCache keys;
        keys.keys(mb, all_indexes(mb), &cache);
        CHECK(mb.reads == 3);
    }  // flushed as the cache closes
    mb.reads = 0;
    MessageCache cache;
    cache.attach(path, mb.uidvalidity());
    SortKeyCache keys;
    std::vector<const SortKeys*> got = keys.keys(mb, all_indexes(mb), &cache);
    CHECK(mb.reads == 0);
    REQUIRE(got.size() == 3);
    for (size_t i = 0; i < got.size(); ++i) {
        SortKeys want = extract_sort_keys(kMessages[i], mb.at(i));
        CHECK(got[i]->sent == want.sent);
        CHECK(got[i]->subject == want.subject);
        CHECK(got[i]->reply_or_forward == want.reply_or_forward);
        CHECK(got[i]->from == want.from);
        CHECK(got[i]->to == want.to);
        CHECK(got[i]->cc == want.cc);
        CHECK(got[i]->display_from == want.display_from);
        CHECK(got[i]->message_id == want.message_id);
        CHECK(got[i]->references == want.references);
    }
    CHECK(got[0]->subject == "BUDGET MEETING NOTES");
    CHECK(got[2]->sent == mb.at(2).internal_date);
}
