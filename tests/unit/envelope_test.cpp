#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "message/envelope.hpp"

using namespace mail;

// Each expected value is what Dovecot 2.3 answers for the same header,
// byte for byte (checked by FETCH ENVELOPE on a maildir), except where a
// comment says otherwise. Dovecot writes a subject or name it had to change
// (collapsed whitespace) or that holds quotes, backslashes or 8-bit bytes as
// a literal, and we do the same.
TEST_CASE("imap_envelope", "[rfc5322]") {
    struct Case {
        std::string header, expected;
    };
    const std::string A = "((NIL NIL \"a\" \"b\"))";
    const std::vector<Case> cases = {
        // all ten fields
        {"Date: Mon, 3 Jun 2024 10:15:00 +0200\r\nSubject: hello\r\n"
         "From: Alice <alice@example.org>\r\nSender: s@x\r\nReply-To: r@x\r\n"
         "To: Bob <bob@example.com>, c@d\r\nCc: e@f\r\nBcc: g@h\r\n"
         "In-Reply-To: <p@x>\r\nMessage-ID: <m@x>\r\n\r\nbody\r\n",
         "(\"Mon, 3 Jun 2024 10:15:00 +0200\" \"hello\" ((\"Alice\" NIL \"alice\" \"example.org\")) "
         "((NIL NIL \"s\" \"x\")) ((NIL NIL \"r\" \"x\")) ((\"Bob\" NIL \"bob\" \"example.com\")"
         "(NIL NIL \"c\" \"d\")) ((NIL NIL \"e\" \"f\")) ((NIL NIL \"g\" \"h\")) \"<p@x>\" \"<m@x>\")"},
        // empty header: all NIL
        {"", "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)"},
        {"\r\n", "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)"},
        // a From with only a display name
        {"From: John Doe\nSubject: plain\n",
         "(NIL \"plain\" ((\"John Doe\" NIL \"MISSING_MAILBOX\" \"MISSING_DOMAIN\")) "
         "((\"John Doe\" NIL \"MISSING_MAILBOX\" \"MISSING_DOMAIN\")) "
         "((\"John Doe\" NIL \"MISSING_MAILBOX\" \"MISSING_DOMAIN\")) NIL NIL NIL NIL NIL)"},
        // no domain; groups
        {"From: user\nTo: undisclosed-recipients:;\nCc: team: a@b, c@d;, x@y\n",
         "(NIL NIL ((NIL NIL \"user\" \"MISSING_DOMAIN\")) ((NIL NIL \"user\" \"MISSING_DOMAIN\")) "
         "((NIL NIL \"user\" \"MISSING_DOMAIN\")) ((NIL NIL \"undisclosed-recipients\" NIL)"
         "(NIL NIL NIL NIL)) ((NIL NIL \"team\" NIL)(NIL NIL \"a\" \"b\")(NIL NIL \"c\" \"d\")"
         "(NIL NIL NIL NIL)(NIL NIL \"x\" \"y\")) NIL NIL NIL)"},
        // subject: folding removed, whitespace collapsed and trimmed
        {"Subject:   spaced    subject  \n\tfolded\n", "(NIL {21}\r\nspaced subject folded NIL NIL NIL NIL NIL NIL NIL NIL)"},
        {"Subject: tab\tx\r\n", "(NIL {5}\r\ntab x NIL NIL NIL NIL NIL NIL NIL NIL)"},
        {"Subject: trailing \r\n", "(NIL {8}\r\ntrailing NIL NIL NIL NIL NIL NIL NIL NIL)"},
        // empty and whitespace-only subject: "", not NIL
        {"Subject:\n", "(NIL \"\" NIL NIL NIL NIL NIL NIL NIL NIL)"},
        {"Subject:   \n", "(NIL \"\" NIL NIL NIL NIL NIL NIL NIL NIL)"},
        // encoded words stay encoded; 8-bit bytes go out as a literal
        {"Subject: =?utf-8?B?dGVzdA==?=\nFrom: =?utf-8?Q?J=C3=B6rg?= <j@x>\n",
         "(NIL \"=?utf-8?B?dGVzdA==?=\" ((\"=?utf-8?Q?J=C3=B6rg?=\" NIL \"j\" \"x\")) "
         "((\"=?utf-8?Q?J=C3=B6rg?=\" NIL \"j\" \"x\")) ((\"=?utf-8?Q?J=C3=B6rg?=\" NIL \"j\" \"x\")) "
         "NIL NIL NIL NIL NIL)"},
        {"Subject: caf\xc3\xa9\n", "(NIL {5}\r\ncaf\xc3\xa9 NIL NIL NIL NIL NIL NIL NIL NIL)"},
        // the same field twice: the last date/subject/ids count, address
        // lists are joined (RFC 5322 allows one of each; Dovecot's choice)
        {"Date: first\nDate: second\nSubject: one\nSubject: two\nFrom: a@b\nFrom: c@d\n",
         "(\"second\" \"two\" ((NIL NIL \"a\" \"b\")(NIL NIL \"c\" \"d\")) "
         "((NIL NIL \"a\" \"b\")(NIL NIL \"c\" \"d\")) ((NIL NIL \"a\" \"b\")(NIL NIL \"c\" \"d\")) "
         "NIL NIL NIL NIL NIL)"},
        // message-id and in-reply-to: raw values, trailing space and comments kept
        {"Message-ID: <a@b>  \nIn-Reply-To:   <x@y> (comment)\n",
         "(NIL NIL NIL NIL NIL NIL NIL NIL \"<x@y> (comment)\" \"<a@b>  \")"},
        // folded ids: line breaks removed, continuation whitespace kept
        {"Message-ID:\n <folded@id>\nIn-Reply-To: <a@b>\n <c@d>\n",
         "(NIL NIL NIL NIL NIL NIL NIL NIL \"<a@b> <c@d>\" \" <folded@id>\")"},
        // whitespace-only values: Dovecot skips one whitespace character
        {"In-Reply-To:  \nMessage-ID:   \nDate: \t \n",
         "(\"\t \" NIL NIL NIL NIL NIL NIL NIL \" \" \"  \")"},
        {"In-Reply-To:\n  \nMessage-ID:\t\nDate: \n", "(\"\" NIL NIL NIL NIL NIL NIL NIL \"  \" \"\")"},
        // the date is raw, whitespace kept
        {"Date:   Mon,  1 Jan   2001\n\t 00:00:00 +0000  \n",
         "(\"Mon,  1 Jan   2001\t 00:00:00 +0000  \" NIL NIL NIL NIL NIL NIL NIL NIL NIL)"},
        // empty from: NIL, and then sender/reply-to are their own
        {"From:\nTo: \nReply-To: r@x\nSender: s@x\n",
         "(NIL NIL NIL ((NIL NIL \"s\" \"x\")) ((NIL NIL \"r\" \"x\")) NIL NIL NIL NIL NIL)"},
        // empty sender and reply-to default to from
        {"From: a@b\nSender:\nReply-To:  \n", "(NIL NIL " + A + " " + A + " " + A + " NIL NIL NIL NIL NIL)"},
        // missing parts
        {"From: @\nTo: <>\nCc: a@\nBcc: @b\n",
         "(NIL NIL ((NIL NIL \"MISSING_MAILBOX\" \"MISSING_DOMAIN\")) "
         "((NIL NIL \"MISSING_MAILBOX\" \"MISSING_DOMAIN\")) "
         "((NIL NIL \"MISSING_MAILBOX\" \"MISSING_DOMAIN\")) "
         "((NIL NIL \"MISSING_MAILBOX\" \"MISSING_DOMAIN\")) ((NIL NIL \"a\" \"MISSING_DOMAIN\")) "
         "((NIL NIL \"MISSING_MAILBOX\" \"b\")) NIL NIL)"},
        // names: quoted with escapes; 8-bit raw as a literal
        {"To: \"Quoted \\\"x\\\" Name\" <a@b>\nCc: J\xe9r\xf4me <c@d>\n",
         "(NIL NIL NIL NIL NIL (({15}\r\nQuoted \"x\" Name NIL \"a\" \"b\")) "
         "(({6}\r\nJ\xe9r\xf4me NIL \"c\" \"d\")) NIL NIL NIL)"},
        // route, comment-named address
        {"From: <@r1,@r2:user@host>\nTo: foo@bar.com (Foo Bar)\n",
         "(NIL NIL ((NIL \"@r1,@r2\" \"user\" \"host\")) ((NIL \"@r1,@r2\" \"user\" \"host\")) "
         "((NIL \"@r1,@r2\" \"user\" \"host\")) ((\"Foo Bar\" NIL \"foo\" \"bar.com\")) NIL NIL NIL NIL)"},
        // field names are case-insensitive; lines without a colon skipped;
        // the body is not read
        {"SUBJECT: x\nno colon line\nfrom: a@b\n\nTo: c@d\n",
         "(NIL \"x\" " + A + " " + A + " " + A + " NIL NIL NIL NIL NIL)"},
        // missing final newline
        {"Subject: last", "(NIL \"last\" NIL NIL NIL NIL NIL NIL NIL NIL)"},
        // quotes and backslashes in a subject: a literal
        {"Subject: \"q\" \\ s\n", "(NIL {7}\r\n\"q\" \\ s NIL NIL NIL NIL NIL NIL NIL NIL)"},
        // but in the date or ids they are escaped in a quoted string
        {"Message-ID: <\"q\"@x>\n", "(NIL NIL NIL NIL NIL NIL NIL NIL NIL \"<\\\"q\\\"@x>\")"},
    };
    for (const auto& c : cases) {
        INFO(c.header);
        CHECK(imap_envelope(c.header) == c.expected);
    }
}

TEST_CASE("imap_envelope: a huge subject", "[rfc5322]") {
    std::string words;
    for (int i = 0; i < 5000; ++i) words += "word ";
    // trailing space removed: changed, so a literal
    std::string env = imap_envelope("Subject: " + words + "\n");
    words.pop_back();
    CHECK(env == "(NIL {" + std::to_string(words.size()) + "}\r\n" + words +
                     " NIL NIL NIL NIL NIL NIL NIL NIL)");
    // unchanged: quoted whatever its length, as Dovecot
    CHECK(imap_envelope("Subject: " + words + "\n") ==
          "(NIL \"" + words + "\" NIL NIL NIL NIL NIL NIL NIL NIL)");
}
