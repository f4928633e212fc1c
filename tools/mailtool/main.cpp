// mailtool: mailbox tools for administrators. One row a subcommand; see
// subcommands.hpp and docs/mailtool.1.
#include <cstdio>
#include <cstring>
#include <exception>

#include "config/config_error.hpp"
#include "tools/mailtool/subcommands.hpp"
#include "util/error.hpp"

namespace {

using namespace mail::tool;

const Subcommand kSubcommands[] = {
    {"ls", "ls [-f FORMAT] [-t] PATH", run_ls},
    {"append", "append [-f FORMAT] [-F FLAGS] [-d DATE] PATH < message", run_append},
    {"cat", "cat [-f FORMAT] PATH UID", run_cat},
    {"copy", "copy SRC DST", run_copy},
    {"convert", "convert SRC FORMAT:DST", run_convert},
    {"migrate-user", "migrate-user [-c FILE] [--from LOCATION] --to LOCATION [-n] USER", run_migrate_user},
    {"migrate-site",
     "migrate-site [-c FILE] [-j N] [--state FILE] [-n] (--users FILE | --walk DIR) [--from LOCATION] --to LOCATION",
     run_migrate_site},
    {"check", "check [-q] [-v] [-i INDEX_DIR] MAILBOX...", run_check},
    {"repair", "repair [-n] [-q] [-v] [-i INDEX_DIR] MAILBOX...", run_repair},
};

int usage() {
    const char* lead = "usage:";
    for (const Subcommand& s : kSubcommands) {
        std::fprintf(stderr, "%-6s mailtool %s\n", lead, s.usage);
        lead = "";
    }
    return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return usage();
    for (const Subcommand& s : kSubcommands) {
        if (std::strcmp(argv[1], s.name) != 0) continue;
        try {
            return s.run(Args(argv + 2, argv + argc));
        } catch (const mail::MailError& e) {
            std::fprintf(stderr, "mailtool %s: %s\n", s.name, e.what());
            return e.kind() == mail::ErrorKind::Busy ? 75 : 1;  // EX_TEMPFAIL: try again
        } catch (const std::exception& e) {
            std::fprintf(stderr, "mailtool %s: %s\n", s.name, e.what());
            return 1;
        }
    }
    return usage();
}
