// mailtool copy SRC DST and mailtool convert SRC FORMAT:DST: one mailbox
// into a new one, any format to any format, keeping flags, keywords,
// internal dates, UIDs, UIDVALIDITY and UIDNEXT; verified after the copy.
// Run again after an interruption, it continues the copy it started.
#include <cstdio>

#include "tools/mailtool/folder_copy.hpp"
#include "tools/mailtool/mailbox_spec.hpp"
#include "tools/mailtool/subcommands.hpp"

namespace mail::tool {

namespace {

int copy_one(const MailboxSpec& src, MailboxSpec dst) {
    if (dst.format.empty()) dst.format = src.format;  // copy: the same format
    auto box = src.driver().open(src.path, OpenMode::ReadOnly);
    FolderTarget target{&dst.driver(), dst.path};
    // The target is ours to continue when it holds a prefix of the source
    // with the source's UIDs: only a copy of it can.
    FolderResult r = copy_folder(all_messages(*box, true), uid_base_of(*box), target, true, false);
    const std::string from = src.format + ":" + src.path, to = dst.format + ":" + dst.path;
    if (r.outcome == FolderResult::Failed) {
        std::fprintf(stderr, "mailtool: %s\n", r.problem.c_str());
        return 1;
    }
    const char* what = r.outcome == FolderResult::AlreadyComplete ? "already complete"
                       : r.outcome == FolderResult::Continued     ? "continued"
                                                                  : "copied";
    std::printf("%s: %s -> %s: %zu messages (%zu appended, %llu bytes), UIDVALIDITY %u %s, verified\n", what,
                from.c_str(), to.c_str(), r.messages, r.appended, static_cast<unsigned long long>(r.bytes),
                box->uidvalidity(), r.uidvalidity_kept ? "kept" : "NOT kept");
    return 0;
}

}  // namespace

int run_copy(const Args& args) {
    if (args.size() != 2) {
        std::fprintf(stderr, "usage: mailtool copy SRC DST\n");
        return kExitUsage;
    }
    return copy_one(open_spec(args[0]), parse_mailbox_spec(args[1]));
}

int run_convert(const Args& args) {
    if (args.size() != 2) {
        std::fprintf(stderr, "usage: mailtool convert SRC FORMAT:DST\n");
        return kExitUsage;
    }
    MailboxSpec dst = parse_mailbox_spec(args[1]);
    if (args[1].find(':') == std::string::npos || dst.format.empty()) {
        std::fprintf(stderr, "mailtool convert: the target needs a format: FORMAT:PATH\n");
        return kExitUsage;
    }
    return copy_one(open_spec(args[0]), dst);
}

}  // namespace mail::tool
