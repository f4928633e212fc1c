// mailtool's subcommands: one file each (or a small group), one row each in
// main.cpp's table. A subcommand gets the words after its name and returns
// the exit status; it throws MailError or ConfigError for main to report.
#pragma once

#include <string>
#include <vector>

namespace mail::tool {

using Args = std::vector<std::string>;

struct Subcommand {
    const char* name;
    const char* usage;  // the line for "usage:", without "mailtool "
    int (*run)(const Args& args);
};

int run_ls(const Args& args);              // basic_commands.cpp
int run_append(const Args& args);          // basic_commands.cpp
int run_cat(const Args& args);             // basic_commands.cpp
int run_copy(const Args& args);            // copy_command.cpp
int run_convert(const Args& args);         // copy_command.cpp
int run_migrate_user(const Args& args);    // migrate_user_command.cpp
int run_migrate_site(const Args& args);    // migrate_site.cpp
int run_check(const Args& args);           // check_command.cpp
int run_repair(const Args& args);          // repair_command.cpp

constexpr int kExitUsage = 64;  // EX_USAGE

}  // namespace mail::tool
