// The MIME structure parser against Dovecot's answers for the same bytes
// (recorded from /usr/lib/dovecot/imap): boundaries, broken multiparts,
// parameters, defaults.
#include <catch2/catch.hpp>

#include "mime/bodystructure.hpp"
#include "mime/parser.hpp"

namespace {

struct Case {
    std::string message, bodystructure;
};

const Case kDovecotCases[] = {
        {"Subject: x\n\nhello\n",
         "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 7 1 NIL NIL NIL NIL)"},
        {"Content-Type: multipart/mixed; boundary=b\n\n--b\n\nA\n--b\n\nB\n",
         "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0 NIL NIL NIL NIL)(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 3 1 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"b\") NIL NIL NIL)"},
        {"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: multipart/alternative; boundary=c\n\n--c\n\nX\n--b\n\nB\n--b--\n",
         "(((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0 NIL NIL NIL NIL) \"alternative\" (\"boundary\" \"c\") NIL NIL NIL)(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"b\") NIL NIL NIL)"},
        {"Content-Type: multipart/mixed; boundary=b\n\n--b junk\n\nA\n--bcd\n\nB\n--b--junk\nepi\n",
         "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0 NIL NIL NIL NIL)(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"b\") NIL NIL NIL)"},
        {"Content-Type: multipart/mixed; boundary=b\n\nno parts\n",
         "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"b\") NIL NIL NIL)"},
        {"Content-Type: multipart/digest; boundary=b\n\n--b\n\nSubject: d\n\nD\n--b\nContent-Type: text/plain\n\nT\n--b--\n",
         "((\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 15 (NIL \"d\" NIL NIL NIL NIL NIL NIL NIL NIL) (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0 NIL NIL NIL NIL) 2 NIL NIL NIL NIL)(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0 NIL NIL NIL NIL) \"digest\" (\"boundary\" \"b\") NIL NIL NIL)"},
        {"Subject: x\nContent-Type: text/plain; charset=utf-8",
         "(\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 0 0 NIL NIL NIL NIL)"},
        {"Content-Type: multipart/mixed; boundary=b\n\n--b\n--b\n\nB\n--b--",
         "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0 NIL NIL NIL NIL)(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"b\") NIL NIL NIL)"},
        {"Content-Type: message/rfc822\n\nContent-Type: multipart/mixed; boundary=q\n\n--q\n\nin\n--q--\n",
         "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 63 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 2 0 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"q\") NIL NIL NIL) 6 NIL NIL NIL NIL)"},
        {"Content-Type: multipart/mixed; boundary=b\n\n--b\n\nA\n--b--\n--b\n\nX\n",
         "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"b\") NIL NIL NIL)"},
        {"Content-Type: text/html\nContent-Transfer-Encoding: QUOTED-PRINTABLE\n\nx\n",
         "(\"text\" \"html\" (\"charset\" \"us-ascii\") NIL NIL \"QUOTED-PRINTABLE\" 3 1 NIL NIL NIL NIL)"},
        {"Content-Type: application/octet-stream (comment) ; name = \"a\\\"b\" ; x=\n\nx\n",
         "(\"application\" \"octet-stream\" (\"name\" \"a\\\"b\" \"x\" \"\") NIL NIL \"7bit\" 3 NIL NIL NIL NIL)"},
        {"Content-Type: image/png; name=\"x.png\"\nContent-Disposition: inline\nContent-Language: en\n\nx\n",
         "(\"image\" \"png\" (\"name\" \"x.png\") NIL NIL \"7bit\" 3 NIL (\"inline\" NIL) (\"en\") NIL)"},
        {"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nA\n--b--\n--b\n\nB\n--b--\n",
         "(((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"b\") NIL NIL NIL)(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"b\") NIL NIL NIL)"},
        {"Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n\r\nA\r\n--b--\r\n",
         "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"b\") NIL NIL NIL)"},
        {"Content-Type: Message/RFC822\n\nSubject: a\n",
         "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 12 (NIL \"a\" NIL NIL NIL NIL NIL NIL NIL NIL) (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0 NIL NIL NIL NIL) 1 NIL NIL NIL NIL)"},
        {"content-type: text/plain; charset=\"iso-8859-1\"; format=flowed\ncontent-type: text/html\n\nx\n",
         "(\"text\" \"plain\" (\"charset\" \"iso-8859-1\" \"format\" \"flowed\") NIL NIL \"7bit\" 3 1 NIL NIL NIL NIL)"},
        {"Content-Type: multipart/mixed; boundary=b\n\n--b\n\n--b\n\n--b--\n",
         "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0 NIL NIL NIL NIL)(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"b\") NIL NIL NIL)"},
        {"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: multipart/alternative; boundary=c\n\n--c\n\nX\n--c--\n--b\n\nB\n--b--\n",
         "(((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0 NIL NIL NIL NIL) \"alternative\" (\"boundary\" \"c\") NIL NIL NIL)(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"b\") NIL NIL NIL)"},
        {"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: multipart/alternative; boundary=c\n\n--c\n\nX\n--c--\nepi\n--b\n\nB\n--b--\n",
         "(((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0 NIL NIL NIL NIL) \"alternative\" (\"boundary\" \"c\") NIL NIL NIL)(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"b\") NIL NIL NIL)"},
        {"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: multipart/alternative; boundary=c\n\n--c\n\nX\n--c--\n\n--b\n\nB\n--b--\n",
         "(((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0 NIL NIL NIL NIL) \"alternative\" (\"boundary\" \"c\") NIL NIL NIL)(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"b\") NIL NIL NIL)"},
        {"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: multipart/alternative; boundary=c\n\n--c\n\nX\n--c--junk\n--b\n\nB\n--b--\n",
         "(((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0 NIL NIL NIL NIL) \"alternative\" (\"boundary\" \"c\") NIL NIL NIL)(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"b\") NIL NIL NIL)"},
};

// Parses fed in pieces of `step` bytes.
std::string structure_in_pieces(const std::string& m, size_t step) {
    mail::MimeParser parser;
    for (size_t i = 0; i < m.size(); i += step) parser.feed(std::string_view(m).substr(i, step));
    return mail::body_structure(parser.finish(), true);
}

}  // namespace

TEST_CASE("BODYSTRUCTURE equals Dovecot's for broken and odd multiparts", "[mime]") {
    for (const auto& c : kDovecotCases) {
        INFO(c.message);
        CHECK(mail::body_structure(mail::parse_message(c.message), true) == c.bodystructure);
        CHECK(structure_in_pieces(c.message, 1) == c.bodystructure);
        CHECK(structure_in_pieces(c.message, 3) == c.bodystructure);
    }
}
