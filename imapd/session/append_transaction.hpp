// What the APPEND command gives the session so that message literals are
// streamed to the mailbox instead of held in memory. The session calls, for
// each message of the command (several for MULTIAPPEND): begin(), write()
// as bytes arrive, end_message(); after the last, finish(). Throwing
// MailError from any of them refuses the command with NO; destroying the
// transaction without finish() must leave no message behind.
#pragma once

#include <string_view>

#include "imapd/protocol/command_reader.hpp"
#include "imapd/session/reply.hpp"

namespace mail::imapd {

class AppendTransaction {
public:
    virtual ~AppendTransaction() = default;
    virtual void begin(const AppendMessage& message) = 0;
    virtual void write(std::string_view bytes) = 0;
    virtual void end_message() = 0;
    // Commits every message; returns the tagged reply ("[APPENDUID ...] ...").
    virtual Reply finish() = 0;
};

}  // namespace mail::imapd
