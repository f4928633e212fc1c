// mailtool check's I/O: reads a mailbox of any format from disk into its
// analyzer (check_mbx/check_unix/check_maildir), looks for stale locks and
// damaged derived files (index, cache, modseq: reported as info, they are
// rebuilt), and keeps what repair needs. Reads only; takes no locks.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tools/mailtool/check_maildir.hpp"
#include "tools/mailtool/check_mbx.hpp"
#include "tools/mailtool/check_unix.hpp"
#include "tools/mailtool/mailbox_spec.hpp"

namespace mail::tool {

struct StaleFile {
    std::string path;
    std::string why;  // for repair's "removed PATH (WHY)"
};

struct MailboxCheck {
    MailboxSpec spec;
    Findings findings;  // all of them, in order: format, locks, derived files
    std::optional<MbxAnalysis> mbx;
    std::optional<UnixAnalysis> unix_mbox;
    std::optional<MaildirAnalysis> maildir;
    std::vector<StaleFile> stale_locks;    // removable dot locks and UW /tmp locks
    std::vector<StaleFile> damaged_files;  // derived files to delete
};

// Throws MailError when the mailbox cannot be read at all (exit 2).
MailboxCheck check_mailbox(const MailboxSpec& spec, const std::string& index_dir);

// Stale UW /tmp/.<dev>.<ino> lock of the mailbox file open on fd: the file
// exists and nobody holds it. Exposed for repair, which re-checks.
std::optional<std::string> stale_uw_lock(int mailbox_fd);

}  // namespace mail::tool
