// mailtool repair: fixes what check found, when it can be fixed without
// losing a message, under the locks the format requires (so a running
// imapd, dmail, procmail or UW process is safe), rewriting through a
// temporary file and rename() where it rewrites. Each function re-reads the
// mailbox under its locks, acts on what it finds then, and reports every
// change through say() ("would ..." with dry_run).
#pragma once

#include <functional>
#include <string>

#include "tools/mailtool/check_io.hpp"

namespace mail::tool {

using Say = std::function<void(const std::string& what)>;

struct RepairContext {
    bool dry_run = false;
    Say say;  // one line per change made (or that would be made)
};

void repair_mbx(const MailboxCheck& check, const RepairContext& ctx);
void repair_unix(const MailboxCheck& check, const RepairContext& ctx);
void repair_maildir(const MailboxCheck& check, const RepairContext& ctx);
// Stale locks and damaged derived files, any format.
void repair_files(const MailboxCheck& check, const RepairContext& ctx);

// A UIDVALIDITY for renumbered UIDs: now, but above the old one.
Uid new_uidvalidity(Uid old);

}  // namespace mail::tool
