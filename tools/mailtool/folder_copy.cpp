#include "tools/mailtool/folder_copy.hpp"

#include <filesystem>

#include "util/error.hpp"

namespace mail::tool {

namespace {

std::vector<MessageDigest> digests_of(const std::vector<CopySource>& sources) {
    std::vector<MessageDigest> out;
    out.reserve(sources.size());
    for (const CopySource& s : sources) out.push_back(digest_message(*s.box, s.index));
    return out;
}

std::vector<bool> uid_kept(const std::vector<CopySource>& sources) {
    std::vector<bool> out;
    for (const CopySource& s : sources) out.push_back(s.keep_uid);
    return out;
}

void make_parent_dirs(const std::string& path) {
    std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (parent.empty()) return;
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) throw MailError(ErrorKind::Io, "cannot create " + parent.string() + ": " + ec.message());
}

}  // namespace

TargetState inspect_target(const FolderTarget& target, const std::vector<MessageDigest>& want,
                           const std::vector<bool>& keep_uid, bool* exists, std::string* why) {
    *exists = target.driver->recognizes(target.path);
    if (!*exists) return TargetState::Different;
    auto box = target.driver->open(target.path, OpenMode::ReadOnly);
    return compare_target(want, keep_uid, digest_mailbox(*box), why);
}

FolderResult copy_folder(const std::vector<CopySource>& sources, const UidBase& base, const FolderTarget& target,
                         bool may_continue, bool may_replace) {
    FolderResult r;
    const std::vector<MessageDigest> want = digests_of(sources);
    const std::vector<bool> keep = uid_kept(sources);
    bool exists = false;
    std::string why;
    TargetState state = inspect_target(target, want, keep, &exists, &why);
    size_t have = 0;
    if (exists) {
        if (state == TargetState::Complete) {
            r.outcome = FolderResult::AlreadyComplete;
            r.messages = want.size();
            auto box = target.driver->open(target.path, OpenMode::ReadOnly);
            r.uidvalidity_kept = box->uidvalidity() == base.uidvalidity;
            return r;
        }
        if (state == TargetState::Prefix && may_continue) {
            auto box = target.driver->open(target.path, OpenMode::ReadOnly);
            have = box->count();
        } else if (may_replace) {
            target.driver->remove(target.path);
            exists = false;
        } else {
            r.problem = "the target " + target.path + " exists and is not a copy of the source (" + why + "); left alone";
            return r;
        }
    }
    if (!exists) {
        make_parent_dirs(target.path);
        target.driver->create(target.path, base);
    }
    {
        auto box = target.driver->open(target.path, OpenMode::Deliver);
        CopyCounts counts = append_messages(sources, have, *box, target.driver->name() == "unix");
        r.appended = counts.messages;
        r.bytes = counts.bytes;
    }
    auto check = target.driver->open(target.path, OpenMode::ReadOnly);
    state = compare_target(want, keep, digest_mailbox(*check), &why);
    r.messages = check->count();
    r.uidvalidity_kept = check->uidvalidity() == base.uidvalidity;
    if (state != TargetState::Complete) {
        r.problem = "verification failed for " + target.path + ": " + why;
        return r;
    }
    r.outcome = exists ? FolderResult::Continued : FolderResult::Copied;
    return r;
}

}  // namespace mail::tool
