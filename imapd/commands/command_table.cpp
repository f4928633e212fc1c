// Every command the server knows. To add one: write imapd/commands/NAME.cpp
// with a Handler, declare it below and add its row.
#include "imapd/commands/command_table.hpp"

namespace mail::imapd {

Reply cmd_authenticate(CommandContext&);
Reply cmd_capability(CommandContext&);
Reply cmd_compress(CommandContext&);
Reply cmd_enable(CommandContext&);
Reply cmd_fetch(CommandContext&);
Reply cmd_id(CommandContext&);
Reply cmd_idle(CommandContext&);
Reply cmd_login(CommandContext&);
Reply cmd_logout(CommandContext&);
Reply cmd_namespace(CommandContext&);
Reply cmd_noop(CommandContext&);
Reply cmd_search(CommandContext&);
Reply cmd_sort(CommandContext&);
Reply cmd_starttls(CommandContext&);
Reply cmd_store(CommandContext&);
Reply cmd_thread(CommandContext&);

Reply cmd_check(CommandContext&);
Reply cmd_close(CommandContext&);
Reply cmd_copy(CommandContext&);
Reply cmd_create(CommandContext&);
Reply cmd_delete(CommandContext&);
Reply cmd_examine(CommandContext&);
Reply cmd_expunge(CommandContext&);
Reply cmd_getquota(CommandContext&);
Reply cmd_getquotaroot(CommandContext&);
Reply cmd_list(CommandContext&);
Reply cmd_lsub(CommandContext&);
Reply cmd_move(CommandContext&);
Reply cmd_rename(CommandContext&);
Reply cmd_select(CommandContext&);
Reply cmd_setquota(CommandContext&);
Reply cmd_status(CommandContext&);
Reply cmd_subscribe(CommandContext&);
Reply cmd_unselect(CommandContext&);
Reply cmd_unsubscribe(CommandContext&);
std::unique_ptr<AppendTransaction> start_append(Session&, const AppendMessage&);

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
    {"ENABLE", kAuthenticated, 0, cmd_enable, nullptr, "ENABLE UTF8=ACCEPT"},
    {"NAMESPACE", kAuthenticated, 0, cmd_namespace, nullptr, "NAMESPACE"},
    {"IDLE", kAuthenticated, 0, cmd_idle, nullptr, "IDLE"},
    {"COMPRESS", kAuthenticated, 0, cmd_compress, nullptr, "COMPRESS=DEFLATE"},
    {"FETCH", kSelected, kUidForm | kUsesSequenceNumbers, cmd_fetch, nullptr, "BINARY"},
    {"STORE", kSelected, kUidForm | kUsesSequenceNumbers, cmd_store},
    {"SEARCH", kSelected, kUidForm | kUsesSequenceNumbers, cmd_search, nullptr, "ESEARCH SEARCHRES WITHIN"},
    {"SORT", kSelected, kUidForm | kUsesSequenceNumbers, cmd_sort, nullptr, "SORT SORT=DISPLAY ESORT"},
    {"THREAD", kSelected, kUidForm | kUsesSequenceNumbers, cmd_thread, nullptr,
     "THREAD=ORDEREDSUBJECT THREAD=REFERENCES"},
    // Mailboxes as wholes (select.cpp, list.cpp, append.cpp, copy.cpp...).
    {"SELECT", kAuthenticated, 0, cmd_select, nullptr, "CONDSTORE QRESYNC"},
    {"EXAMINE", kAuthenticated, 0, cmd_examine},
    {"CREATE", kAuthenticated, 0, cmd_create, nullptr, "CREATE-SPECIAL-USE OBJECTID"},
    {"DELETE", kAuthenticated, 0, cmd_delete},
    {"RENAME", kAuthenticated, 0, cmd_rename},
    {"SUBSCRIBE", kAuthenticated, 0, cmd_subscribe},
    {"UNSUBSCRIBE", kAuthenticated, 0, cmd_unsubscribe},
    {"LIST", kAuthenticated, 0, cmd_list, nullptr, "CHILDREN LIST-EXTENDED LIST-STATUS SPECIAL-USE"},
    {"LSUB", kAuthenticated, 0, cmd_lsub},
    {"STATUS", kAuthenticated, 0, cmd_status, nullptr, "STATUS=SIZE"},
    {"APPEND", kAuthenticated, 0, nullptr, start_append, "MULTIAPPEND APPENDLIMIT"},
    // Quota (quota.cpp): one root "" from the configuration; no QUOTASET.
    {"GETQUOTA", kAuthenticated, 0, cmd_getquota, nullptr, "QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE"},
    {"GETQUOTAROOT", kAuthenticated, 0, cmd_getquotaroot},
    {"SETQUOTA", kAuthenticated, 0, cmd_setquota},
    {"CHECK", kSelected, 0, cmd_check},
    {"CLOSE", kSelected, 0, cmd_close},
    {"UNSELECT", kSelected, 0, cmd_unselect, nullptr, "UNSELECT"},
    {"EXPUNGE", kSelected, kUidForm | kBreaksSequenceNumbers, cmd_expunge, nullptr, "UIDPLUS"},
    {"COPY", kSelected, kUidForm, cmd_copy},
    {"MOVE", kSelected, kUidForm | kBreaksSequenceNumbers, cmd_move, nullptr, "MOVE"},
};

}  // namespace

std::span<const CommandSpec> command_table() { return kCommands; }

}  // namespace mail::imapd
