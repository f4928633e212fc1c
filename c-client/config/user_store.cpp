#include "config/user_store.hpp"

#include <sys/stat.h>

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
    auto store = std::make_unique<Store>(config.location_for(vars, mail_env));
    std::string spool = config.path("spool", vars);
    if (!spool.empty() && !same_file(spool, store->location().inbox))
        store->set_spool(std::move(spool));
    return store;
}

}  // namespace mail
