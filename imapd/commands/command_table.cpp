// Every command the server knows. To add one: write imapd/commands/NAME.cpp
// with a Handler, declare it below and add its row.
#include "imapd/commands/command_table.hpp"

namespace mail::imapd {

Reply cmd_authenticate(CommandContext&);
Reply cmd_capability(CommandContext&);
Reply cmd_enable(CommandContext&);
Reply cmd_fetch(CommandContext&);
Reply cmd_id(CommandContext&);
Reply cmd_idle(CommandContext&);
Reply cmd_login(CommandContext&);
Reply cmd_logout(CommandContext&);
Reply cmd_namespace(CommandContext&);
Reply cmd_noop(CommandContext&);
Reply cmd_search(CommandContext&);
Reply cmd_starttls(CommandContext&);
Reply cmd_store(CommandContext&);

namespace {

// name, states, flags, handler, append starter, capability
const CommandSpec kCommands[] = {
    {"CAPABILITY", kAnyState, 0, cmd_capability},
    {"NOOP", kAnyState, 0, cmd_noop},
    {"LOGOUT", kAnyState, 0, cmd_logout},
    {"ID", kAnyState, 0, cmd_id, nullptr, "ID"},
    {"LOGIN", kNotAuthenticated, 0, cmd_login},
    {"AUTHENTICATE", kNotAuthenticated, 0, cmd_authenticate},
    {"STARTTLS", kNotAuthenticated, 0, cmd_starttls},
    {"ENABLE", kAuthenticated, 0, cmd_enable, nullptr, "ENABLE"},
    {"NAMESPACE", kAuthenticated, 0, cmd_namespace, nullptr, "NAMESPACE"},
    {"IDLE", kAuthenticated, 0, cmd_idle, nullptr, "IDLE"},
    {"FETCH", kSelected, kUidForm | kUsesSequenceNumbers, cmd_fetch},
    {"STORE", kSelected, kUidForm | kUsesSequenceNumbers, cmd_store},
    {"SEARCH", kSelected, kUidForm | kUsesSequenceNumbers, cmd_search},
};

}  // namespace

std::span<const CommandSpec> command_table() { return kCommands; }

}  // namespace mail::imapd
