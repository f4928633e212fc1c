#include "config/user_store.hpp"

#include <sys/stat.h>

#include "lock/lock_timeout.hpp"
#include "mailbox/special_use.hpp"
#include "util/error.hpp"

namespace mail {
namespace {

// Same file: the same inode when both exist, else the same path.
bool same_file(const std::string& a, const std::string& b) {
    struct stat sa, sb;
    if (::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    return a == b;
}

}  // namespace

std::unique_ptr<Store> make_user_store(const Config& config, const UserVars& vars,
                                       const char* mail_env) {
    set_lock_timeout_seconds(static_cast<int>(config.duration("lock_timeout").count()));
    auto store = std::make_unique<Store>(config.location_for(vars, mail_env));
    std::string spool = config.path("spool", vars);
    if (!spool.empty() && !same_file(spool, store->location().inbox))
        store->set_spool(std::move(spool));
    StoreSettings settings;
    try {
        settings.special_use = parse_special_use_config(config.string("special_use"));
    } catch (const MailError& e) {
        throw ConfigError(config.source() + ": " + e.what());
    }
    settings.special_use_create = config.flag("special_use_create");
    settings.quota_storage = config.size("quota_storage");
    settings.quota_messages = config.size("quota_messages");
    store->set_settings(std::move(settings));
    if (store->settings().special_use_create) {
        try {
            create_special_use_mailboxes(*store);  // at login, as Dovecot's auto = create
        } catch (const MailError&) {
            // a mailbox that cannot be created now does not stop the login
        }
    }
    return store;
}

}  // namespace mail
