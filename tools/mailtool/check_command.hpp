// The command lines of mailtool check and repair, shared by both.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tools/mailtool/check_io.hpp"
#include "tools/mailtool/subcommands.hpp"

namespace mail::tool {

constexpr int kExitProblems = 1;
constexpr int kExitCannotCheck = 2;

struct CheckArgs {
    bool quiet = false, verbose = false, dry_run = false;
    std::string index_dir;  // -i: the index_dir key's value, when set
    std::vector<std::string> mailboxes;
};

// nullopt on bad usage; -n only for repair.
std::optional<CheckArgs> parse_check_args(const Args& args, bool repair);
// The mailbox a command-line word names (MailError when there is none).
MailboxSpec check_spec(const std::string& name);
// The findings as check prints them (nothing with -q, good news with -v).
void print_findings(const MailboxCheck& c, const CheckArgs& a);

}  // namespace mail::tool
