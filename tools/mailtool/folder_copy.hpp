// One folder's copy as copy, convert and the migrations do it: create the
// target with the source's UID numbering (or continue an interrupted copy),
// append what is missing, then verify the target against the source.
#pragma once

#include <string>
#include <vector>

#include "mailbox/driver.hpp"
#include "tools/mailtool/mailbox_copy.hpp"

namespace mail::tool {

struct FolderTarget {
    Driver* driver = nullptr;
    std::string path;
};

struct FolderResult {
    enum Outcome { Copied, Continued, AlreadyComplete, Failed } outcome = Failed;
    size_t messages = 0;        // in the target after the copy
    size_t appended = 0;        // by this run
    uint64_t bytes = 0;         // RFC822.SIZE total of what this run appended
    bool uidvalidity_kept = false;
    std::string problem;        // why Failed, or a note
};

// What state the target is in, for a dry run and for deciding.
// Nothing there: Different with *exists false.
TargetState inspect_target(const FolderTarget& target, const std::vector<MessageDigest>& want,
                           const std::vector<bool>& keep_uid, bool* exists, std::string* why);

// Copies sources into target. base: the UID numbering of a new target.
// may_continue: a target that holds a prefix of the sources is one this tool
// started (its journal says so) and is continued; may_replace: a target that
// differs is removed and copied again. Otherwise an existing target that
// is not complete is left alone and reported (Failed).
FolderResult copy_folder(const std::vector<CopySource>& sources, const UidBase& base, const FolderTarget& target,
                         bool may_continue, bool may_replace);

}  // namespace mail::tool
