// Fuzzes the protocol parser: the command reader fed in two pieces (split
// by the first byte), then the typed parser of every command it returns.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "imapd/protocol/command_reader.hpp"
#include "imapd/protocol/fetch_request.hpp"
#include "imapd/protocol/list_request.hpp"
#include "imapd/protocol/mailbox_requests.hpp"
#include "imapd/protocol/mutf7.hpp"
#include "imapd/protocol/parse_error.hpp"
#include "imapd/protocol/search_program.hpp"
#include "imapd/protocol/store_request.hpp"

using namespace mail::imapd;

namespace {

void parse_arguments(const Command& c, const ParserLimits& limits) {
    ArgReader a = c.args(limits);
    try {
        if (c.name == "FETCH") {
            auto set = a.sequence_set();
            set.resolve(100);
            a.sp();
            for (const auto& item : parse_fetch(a).items) item.response_name();
            a.end();
        } else if (c.name == "STORE") {
            a.sequence_set();
            a.sp();
            parse_store(a);
        } else if (c.name == "SEARCH") {
            parse_search(a);
        } else if (c.name == "LIST" || c.name == "LSUB") {
            parse_list_request(a);
        } else if (c.name == "STATUS") {
            parse_status(a);
        } else if (c.name == "SELECT" || c.name == "CREATE") {
            std::string name = a.mailbox();
            if (auto utf8 = mutf7_decode(name)) mutf7_encode(*utf8);
        } else {
            while (!a.at_end()) {
                a.nstring();
                a.try_sp();
            }
        }
    } catch (const ParseError&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    ParserLimits limits;
    limits.max_line = 4096;
    limits.max_literal = 4096;
    limits.max_message = 1 << 20;
    limits.literal_minus = data[0] & 1;
    std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    size_t split = data[0] % (input.size() + 1);
    CommandReader r(limits);
    r.feed(input.substr(0, split));
    bool fed_all = false;
    for (int steps = 0; steps < 100000; ++steps) {
        switch (r.next()) {
        case CommandReader::Event::NeedInput:
            if (fed_all) return 0;
            r.feed(input.substr(split));
            fed_all = true;
            break;
        case CommandReader::Event::Command:
            parse_arguments(r.command(), limits);
            break;
        case CommandReader::Event::AppendMessage:
            if (r.append().size % 2) {
                r.reject_message();
            } else {
                r.accept_message();
                while (!r.message_bytes().empty()) {
                }
            }
            break;
        default:
            break;
        }
    }
    return 0;
}
