// One user's whole mail from one mail_location to another: INBOX (with the
// spool's messages after it), every folder, the subscriptions (the source
// store's file and UW's ~/.mailboxlist). The sources are opened read-only
// and never changed. A journal beside the target root (ROOT.mailtool-migrate)
// names the folders this tool started, so that a second run skips folders
// that are complete, continues those it started, and leaves alone any
// target folder it did not make.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "mailbox/store.hpp"

namespace mail::tool {

struct MigrationRequest {
    std::string user, home;
    StoreLocation from, to;
    std::string spool;  // expanded; "" for none
    bool dry_run = false;
};

struct UserReport {
    size_t folders = 0, folders_skipped = 0;
    size_t messages = 0;  // in the targets, verified
    size_t appended = 0;  // by this run
    uint64_t bytes = 0;   // appended by this run
    size_t subscriptions = 0;
    std::vector<std::string> problems;
    bool ok() const { return problems.empty(); }
};

// Migrates, writing one line a folder to out. Problems are collected, not
// thrown, so that one bad folder does not stop the others.
UserReport migrate_user(const MigrationRequest& request, std::FILE* out);

// UW's ~/.mailboxlist names (one a line) as names in the store rooted at
// root: "mail/x" becomes "x" when root is HOME/mail. Pure.
std::vector<std::string> uw_mailboxlist_names(std::string_view text, const std::string& home,
                                              const std::string& root);

}  // namespace mail::tool

namespace mail {
class Config;
}

namespace mail::tool {

// The options migrate-user and migrate-site share.
struct MigrationOptions {
    std::string config_path;  // -c; "" for /etc/imapd.conf
    std::string from, to;     // --from, --to; from "" for the configured mail_location
    bool dry_run = false;     // -n
    // Consumes args[i] (and its value) when it is one of the options above.
    bool take(const std::vector<std::string>& args, size_t& i);
};

// The request for one user: locations expanded with %u and %h, the spool
// from the configuration key spool. Throws ConfigError.
MigrationRequest make_request(const Config& config, const MigrationOptions& options, const std::string& user,
                              const std::string& home);

}  // namespace mail::tool
