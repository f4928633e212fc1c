// The command table's row type and what a handler gets. A command is one
// file in imapd/commands/ defining a Handler, plus one row in
// commands/command_table.cpp.
//
//     Reply cmd_noop(CommandContext& ctx) {
//         ctx.args.end();             // ParseError -> tagged BAD
//         return Reply::ok("NOOP completed");
//     }
//
// Handlers parse all their arguments before they change anything. They
// throw ParseError for BAD and MailError for NO; untagged responses go
// through ctx.session.untagged(). The session syncs the selected mailbox
// (untagged EXISTS/EXPUNGE/FETCH) before the tagged response.
#pragma once

#include <memory>
#include <string_view>

#include "imapd/protocol/arg_reader.hpp"
#include "imapd/protocol/command_reader.hpp"
#include "imapd/session/append_transaction.hpp"
#include "imapd/session/reply.hpp"

namespace mail::imapd {

class Session;

enum class State : unsigned {
    NotAuthenticated = 1u << 0,
    Authenticated = 1u << 1,
    Selected = 1u << 2,
    Logout = 1u << 3,
};

// Bit masks of states for CommandSpec::states.
constexpr unsigned kNotAuthenticated = static_cast<unsigned>(State::NotAuthenticated);
constexpr unsigned kAuthenticated = static_cast<unsigned>(State::Authenticated) |
                                    static_cast<unsigned>(State::Selected);
constexpr unsigned kSelected = static_cast<unsigned>(State::Selected);
constexpr unsigned kAnyState = kNotAuthenticated | kAuthenticated;

enum CommandFlag : unsigned {
    kUidForm = 1u << 0,  // may be sent as "UID name"
    // The non-UID form uses sequence numbers: no untagged EXPUNGE may be
    // sent before its tagged response (RFC 3501 7.4.1): FETCH, STORE, SEARCH.
    kUsesSequenceNumbers = 1u << 1,
    // It renumbers messages itself (EXPUNGE, MOVE): documented for readers;
    // the expunges it reports are its own.
    kBreaksSequenceNumbers = 1u << 2,
};

struct CommandContext {
    Session& session;
    const Command& command;
    ArgReader args;  // positioned at the first argument

    bool uid() const { return command.uid; }
    const std::string& tag() const { return command.tag; }
};

using Handler = Reply (*)(CommandContext&);
// APPEND's entry: starts a transaction for the mailbox of the first message.
using AppendStarter = std::unique_ptr<AppendTransaction> (*)(Session&, const AppendMessage&);

struct CommandSpec {
    std::string_view name;         // upper case
    unsigned states = kAnyState;   // where it is allowed
    unsigned flags = 0;            // CommandFlag bits
    Handler handler = nullptr;
    AppendStarter append = nullptr;  // APPEND only: messages are streamed
    std::string_view capability = {};  // advertised while this row exists, e.g. "IDLE"
};

}  // namespace mail::imapd
