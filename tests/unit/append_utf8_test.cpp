// APPEND's UTF8 data extension (RFC 6855 4) in the command reader:
// "UTF8 (~{n}" message ")" in place of a message literal.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "imapd/protocol/command_reader.hpp"

using namespace mail::imapd;
using Ev = CommandReader::Event;

namespace {

// Every event as text; messages are accepted and their bytes collected.
std::vector<std::string> append_events(const std::string& input) {
    CommandReader r;
    r.feed(input);
    std::vector<std::string> out;
    for (;;) {
        Ev e = r.next();
        if (e == Ev::NeedInput) return out;
        if (e == Ev::Continuation) out.push_back("+");
        if (e == Ev::Error) out.push_back(r.error_tag() + " " + r.error_status() + " " + r.error_text());
        if (e == Ev::Command) out.push_back("cmd " + r.command().tag + " " + r.command().name);
        if (e == Ev::AppendDone) out.push_back("done " + r.append().tag);
        if (e == Ev::AppendMessage) {
            std::string desc = "msg " + r.append().mailbox + (r.append().utf8 ? " utf8" : "");
            r.accept_message();
            std::string body;
            while (r.message_remaining() > 0) {
                std::string_view b = r.message_bytes();
                if (b.empty()) break;
                body += b;
            }
            out.push_back(desc + " body=" + body);
        }
    }
}

}  // namespace

TEST_CASE("APPEND UTF8 (~{n}) frames the message and its closing parenthesis", "[utf8]") {
    struct Case {
        std::string input;
        std::vector<std::string> expected;
    } cases[] = {
        {"a APPEND INBOX UTF8 (~{2+}\r\nhi)\r\n", {"msg INBOX utf8 body=hi", "done a"}},
        {"a APPEND INBOX (\\Seen) UTF8 (~{2+}\r\nhi) utf8 (~{3+}\r\nyou)\r\n",
         {"msg INBOX utf8 body=hi", "msg INBOX utf8 body=you", "done a"}},
        {"a APPEND INBOX UTF8 (~{2+}\r\nhi) {3+}\r\nyou\r\n",
         {"msg INBOX utf8 body=hi", "msg INBOX body=you", "done a"}},
        {"a APPEND INBOX {2+}\r\nhi UTF8 (~{3+}\r\nyou)\r\n",
         {"msg INBOX body=hi", "msg INBOX utf8 body=you", "done a"}},
        {"a APPEND INBOX ~{2+}\r\nhi\r\n", {"msg INBOX body=hi", "done a"}},
        // the ")" is missing, or there without UTF8
        {"a APPEND INBOX UTF8 (~{2+}\r\nhi\r\nb NOOP\r\n",
         {"msg INBOX utf8 body=hi", "a BAD Expected \")\"", "cmd b NOOP"}},
        {"a APPEND INBOX {2+}\r\nhi)\r\nb NOOP\r\n",
         {"msg INBOX body=hi", "a BAD Unexpected extra arguments", "cmd b NOOP"}},
        // UTF8 data is a literal8
        {"a APPEND INBOX UTF8 ({2+}\r\nhi)\r\nb NOOP\r\n",
         {"a BAD UTF8 message data must be a literal8 (~{n})", "cmd b NOOP"}},
    };
    for (const auto& c : cases) {
        INFO(c.input);
        CHECK(append_events(c.input) == c.expected);
    }
}
