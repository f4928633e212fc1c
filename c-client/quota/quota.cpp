#include "quota/quota.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <charconv>
#include <set>

#include "mailbox/mailbox.hpp"
#include "util/error.hpp"

namespace mail {

namespace {

// Files of a maildir subdirectory (cur/ or new/): their count and bytes.
void add_maildir_dir(const std::string& dir, QuotaUsage& usage) {
    DIR* d = ::opendir(dir.c_str());
    if (!d) return;
    while (const dirent* e = ::readdir(d)) {
        std::string_view name = e->d_name;
        if (name.empty() || name[0] == '.') continue;
        ++usage.messages;
        if (auto size = maildir_name_size(name)) {
            usage.bytes += *size;
        } else {
            struct stat st;
            std::string path = dir + "/" + std::string(name);
            if (::stat(path.c_str(), &st) == 0) usage.bytes += static_cast<uint64_t>(st.st_size);
        }
    }
    ::closedir(d);
}

bool is_dir(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

std::optional<uint64_t> maildir_name_size(std::string_view name) {
    name = name.substr(0, name.find(':'));  // the flags part may hold anything
    for (size_t pos = name.find(",S="); pos != std::string_view::npos; pos = name.find(",S=", pos + 1)) {
        std::string_view digits = name.substr(pos + 3);
        uint64_t value = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        if (ec == std::errc() && end != digits.data() && (end == digits.data() + digits.size() || *end == ','))
            return value;
    }
    return std::nullopt;
}

QuotaUsage store_usage(const Store& store, bool count_messages) {
    QuotaUsage usage;
    std::set<std::string> names{"INBOX"};
    for (const ListEntry& e : store.list("", "*"))
        if (!(e.attributes & kNoselect)) names.insert(e.name);
    for (const std::string& name : names) {
        Store::Resolved r = store.resolve(name);
        if (!r.driver) continue;
        if (is_dir(r.path + "/cur")) {
            QuotaUsage box;
            add_maildir_dir(r.path + "/cur", box);
            add_maildir_dir(r.path + "/new", box);
            usage.bytes += box.bytes;
            usage.messages += box.messages;
            continue;
        }
        struct stat st;
        if (::stat(r.path.c_str(), &st) == 0) usage.bytes += static_cast<uint64_t>(st.st_size);
        if (count_messages) {
            try {
                usage.messages += store.open(name, OpenMode::ReadOnly)->count();
            } catch (const MailError&) {
                // a mailbox that cannot be opened counts for its bytes only
            }
        }
    }
    return usage;
}

void check_quota(const StoreSettings& limits, const QuotaUsage& used, uint64_t add_bytes, uint64_t add_messages) {
    if (limits.quota_storage && used.bytes + add_bytes > limits.quota_storage)
        throw MailError(ErrorKind::NoSpace, "[OVERQUOTA] Quota exceeded (storage: " +
                                                std::to_string(limits.quota_storage / 1024) + " KiB)");
    if (limits.quota_messages && used.messages + add_messages > limits.quota_messages)
        throw MailError(ErrorKind::NoSpace, "[OVERQUOTA] Quota exceeded (messages: " +
                                                std::to_string(limits.quota_messages) + ")");
}

void check_store_quota(const Store& store, uint64_t add_bytes, uint64_t add_messages) {
    const StoreSettings& limits = store.settings();
    if (!quota_limited(limits)) return;
    check_quota(limits, store_usage(store, limits.quota_messages != 0), add_bytes, add_messages);
}

}  // namespace mail
