#include "tools/mailtool/become_user.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/error.hpp"

namespace mail::tool {

namespace {
[[noreturn]] void os_error(const std::string& what, int err) {
    throw MailError(ErrorKind::Io, what + ": " + std::strerror(err));
}
}  // namespace

void become_user(const std::string& user, const std::string& home) {
    if (::geteuid() != 0) return;
    uid_t uid;
    gid_t gid;
    bool in_passwd = false;
    if (struct passwd* pw = ::getpwnam(user.c_str())) {
        uid = pw->pw_uid;
        gid = pw->pw_gid;
        in_passwd = true;
    } else {
        struct stat st;
        if (::stat(home.c_str(), &st) < 0) os_error("no such user and no home " + home, errno);
        uid = st.st_uid;
        gid = st.st_gid;
    }
    if (uid == 0) throw MailError(ErrorKind::Permission, "refusing to migrate " + user + " as root (its files would be root's)");
    if ((in_passwd ? ::initgroups(user.c_str(), gid) : ::setgroups(0, nullptr)) < 0 || ::setgid(gid) < 0 ||
        ::setuid(uid) < 0)
        os_error("cannot become " + user, errno);
}

}  // namespace mail::tool
