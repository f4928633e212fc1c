// mailtool check [-q] [-v] [-i INDEX_DIR] MAILBOX...
// One line a problem ("problem: MAILBOX: WHERE: WHAT"), info lines for
// damaged derived files, with -v also what is sound. Exit 0 sound, 1
// problems found, 2 a mailbox could not be checked (or bad usage).
#include <unistd.h>

#include <cstdio>

#include "tools/mailtool/check_command.hpp"
#include "tools/mailtool/check_io.hpp"
#include "tools/mailtool/subcommands.hpp"
#include "util/error.hpp"

namespace mail::tool {

std::optional<CheckArgs> parse_check_args(const Args& args, bool repair) {
    CheckArgs a;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "-q") a.quiet = true;
        else if (arg == "-v") a.verbose = true;
        else if (arg == "-n" && repair) a.dry_run = true;
        else if (arg == "-i" && i + 1 < args.size()) a.index_dir = args[++i];
        else if (arg == "--") {
            a.mailboxes.insert(a.mailboxes.end(), args.begin() + static_cast<long>(i) + 1, args.end());
            break;
        } else if (!arg.empty() && arg[0] == '-') return std::nullopt;
        else a.mailboxes.push_back(arg);
    }
    if (a.mailboxes.empty()) return std::nullopt;
    return a;
}

MailboxSpec check_spec(const std::string& name) {
    // FORMAT:PATH names a file to check even when its driver would not
    // recognise it (a damaged first line); a bare path must be recognised.
    MailboxSpec spec = parse_mailbox_spec(name);
    if (!spec.format.empty() && ::access(spec.path.c_str(), F_OK) == 0) return spec;
    return open_spec(name);
}

void print_findings(const MailboxCheck& c, const CheckArgs& a) {
    if (a.quiet) return;
    for (const Finding& f : c.findings.items) {
        if (f.severity == Severity::Good && !a.verbose) continue;
        std::printf("%s\n", format_finding(c.spec.path, f).c_str());
    }
}

int run_check(const Args& args) {
    auto a = parse_check_args(args, false);
    if (!a) {
        std::fprintf(stderr, "usage: mailtool check [-q] [-v] [-i INDEX_DIR] MAILBOX...\n");
        return kExitCannotCheck;
    }
    int status = 0;
    for (const std::string& name : a->mailboxes) {
        try {
            MailboxCheck c = check_mailbox(check_spec(name), a->index_dir);
            print_findings(c, *a);
            if (c.findings.problems() && status == 0) status = kExitProblems;
        } catch (const MailError& e) {
            if (!a->quiet) std::fprintf(stderr, "mailtool check: %s: %s\n", name.c_str(), e.what());
            status = kExitCannotCheck;
        }
    }
    std::fflush(stdout);
    return status;
}

}  // namespace mail::tool
