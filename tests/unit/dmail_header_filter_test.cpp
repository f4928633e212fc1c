// dmail's header filter: forgeable fields removed with their continuation
// lines, the "From " envelope line removed and its sender kept, the From:
// field captured; the same output whatever the chunking; the sender chosen.
#include <catch2/catch.hpp>

#include <string>

#include "dmail/header_filter.hpp"

using mail::dmail::choose_sender;
using mail::dmail::HeaderFilter;

namespace {

struct Filtered {
    std::string out, envelope, from;
};

Filtered run(const std::string& in, size_t chunk) {
    HeaderFilter f;
    Filtered r;
    for (size_t i = 0; i < in.size(); i += chunk) f.feed(std::string_view(in).substr(i, chunk), r.out);
    f.finish(r.out);
    r.envelope = f.envelope_sender();
    r.from = f.from_field();
    return r;
}

}  // namespace

TEST_CASE("header filter removes forgeable fields, any chunking", "[dmail]") {
    struct Case {
        std::string in, out, envelope, from;
    } cases[] = {
        {"Subject: a\n\nbody\n", "Subject: a\n\nbody\n", "", ""},
        {"Status: RO\nSubject: a\n\nb\n", "Subject: a\n\nb\n", "", ""},
        {"X-UID: 7\r\nX-IMAP: 1 2\r\nX-IMAPbase: 1 2\r\nSubject: a\r\n\r\nb\r\n", "Subject: a\r\n\r\nb\r\n", "", ""},
        {"sTaTuS: RO\nx-status: F\nX-KEYWORDS: $Junk\n\nb\n", "\nb\n", "", ""},
        {"X-Keywords: a\n  b\n\tc\nTo: x\n\n", "To: x\n\n", "", ""},         // continuation lines go too
        {"To: x\n  y\nX-UID: 3\n\n", "To: x\n  y\n\n", "", ""},             // and others' stay
        {"Status : RO\nA: b\n\n", "A: b\n\n", "", ""},                      // space before colon
        {"X-Statusx: 1\nX-UIDs: 2\n\n", "X-Statusx: 1\nX-UIDs: 2\n\n", "", ""},  // only exact names
        {"Subject: a\n\nStatus: RO\nX-UID: 5\n", "Subject: a\n\nStatus: RO\nX-UID: 5\n", "", ""},  // body untouched
        {"From a@b.c Mon Jan  1 10:00:00 2001\nSubject: s\n\nFrom x\n", "Subject: s\n\nFrom x\n", "a@b.c", ""},
        {"From: Al <al@x.org>\nSubject: s\n\n", "From: Al <al@x.org>\nSubject: s\n\n", "", " Al <al@x.org>\n"},
        {"From: a@x.org\nFrom: b@y.org\n\n", "From: a@x.org\nFrom: b@y.org\n\n", "", " a@x.org\n"},
        {"Subject: s\nFrom x Mon Jan  1 10:00:00 2001\n\n", "Subject: s\nFrom x Mon Jan  1 10:00:00 2001\n\n", "", ""},
        {"Status: RO", "", "", ""},                  // cut off inside the header
        {"Subject: no end", "Subject: no end", "", ""},
        {"Sub", "Sub", "", ""},
        {"Fro", "Fro", "", ""},
        {"", "", "", ""},
        {"\n\nbody", "\n\nbody", "", ""},                                    // empty header
        {std::string(100, 'a') + "\nStatus: R\n\n", std::string(100, 'a') + "\n\n", "", ""},  // no colon: kept
    };
    for (const auto& c : cases) {
        for (size_t chunk : {size_t{1}, size_t{2}, size_t{7}, size_t{4096}}) {
            INFO("input: " << c.in << " chunk " << chunk);
            Filtered r = run(c.in, chunk);
            CHECK(r.out == c.out);
            CHECK(r.envelope == c.envelope);
            CHECK(r.from == c.from);
        }
    }
}

TEST_CASE("header filter memory stays bounded on a huge header line", "[dmail]") {
    HeaderFilter f;
    std::string out;
    std::string chunk(1 << 16, 'x');
    f.feed("X-UID: ", out);
    for (int i = 0; i < 64; ++i) f.feed(chunk, out);  // 4 MB dropped
    f.feed("\nSubject: ok\n\nb", out);
    f.finish(out);
    CHECK(out == "Subject: ok\n\nb");
    HeaderFilter g;
    std::string out2;
    g.feed("From: ", out2);
    for (int i = 0; i < 64; ++i) g.feed(chunk, out2);
    CHECK(g.from_field().size() <= HeaderFilter::kMaxCaptureBytes);
}

TEST_CASE("sender for the From line", "[dmail]") {
    struct Case {
        std::string option, envelope, from_field, expected;
    } cases[] = {
        {"opt@x.org", "env@y.org", " a@z.org", "opt@x.org"},
        {"<opt@x.org>", "", "", "opt@x.org"},
        {"", "env@y.org", " a@z.org", "env@y.org"},
        {"", "", " Alice <a@z.org>\n", "a@z.org"},
        {"", "", " a@z.org (Alice)\n", "a@z.org"},
        {"", "", " undisclosed-recipients:;\n", "MAILER-DAEMON"},
        {"", "", "", "MAILER-DAEMON"},
        {"<>", "", "", "MAILER-DAEMON"},
        {"", "<>", "", "MAILER-DAEMON"},
        {"a b\tc\x01", "", "", "abc"},  // never a space in the From line
    };
    for (const auto& c : cases) {
        INFO(c.option << " | " << c.envelope << " | " << c.from_field);
        CHECK(choose_sender(c.option, c.envelope, c.from_field) == c.expected);
    }
}
