// Checking a maildir from a listing of it (made by check_io.cpp): cur/ new/
// tmp/ exist, dovecot-uidlist parses line by line with UIDs strictly
// increasing, every file in cur/ has a uidlist entry and every entry a file,
// S= sizes match the files, flag characters after ":2," are letters, and
// no file in tmp/ is older than 36 hours (Maildir's rule for stale
// deliveries). Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "drivers/maildir/uidlist.hpp"
#include "tools/mailtool/check_findings.hpp"

namespace mail::tool {

constexpr int64_t kStaleTmpSeconds = 36 * 3600;

struct MaildirFile {
    std::string dir;   // "cur" or "new"
    std::string name;
    uint64_t size = 0;
};

struct MaildirListing {
    bool has_cur = true, has_new = true, has_tmp = true;
    std::optional<std::string> uidlist;  // the file's text, when there is one
    std::vector<MaildirFile> files;      // cur/ and new/
    std::vector<std::pair<std::string, int64_t>> tmp_files;  // name, mtime
    int64_t now = 0;
};

struct MaildirRename {
    std::string dir, from, to;  // names within dir
};

struct MaildirPlan {
    std::vector<std::string> make_dirs;   // "cur", "new", "tmp"
    std::vector<MaildirRename> renames;   // S= and flag fixes
    std::vector<std::string> remove_tmp;  // names in tmp/
    bool rewrite_uidlist = false;
    bool renumber = false;  // repair gives list a new UIDVALIDITY
    maildir::Uidlist list;  // the uidlist to write (renumbered from 1 when renumber)
};

struct MaildirAnalysis {
    Findings findings;
    MaildirPlan plan;
};

MaildirAnalysis analyze_maildir(const MaildirListing& listing);

// The flag characters after ":2," that are not letters; "" when all are.
std::string bad_flag_chars(std::string_view name);
// name with S= set to size (and W= dropped) and the flags cleaned of
// non-letters, sorted, once each. Equal to name when nothing is wrong.
std::string corrected_name(std::string_view name, uint64_t size);

}  // namespace mail::tool
