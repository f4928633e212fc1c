#include "imapd/auth/privileges.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <grp.h>
#include <stdexcept>
#include <unistd.h>

namespace mail::imapd {

namespace {

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error(what + ": " + std::strerror(errno));
}

}  // namespace

void drop_privileges(const Account& a) {
    if (a.uid == 0) throw std::runtime_error("refusing to run a session as root");
    // Groups first: only root may change them.
    if (initgroups(a.user.c_str(), a.gid) != 0) {
        // A passwd-file user unknown to the system: its own group only.
        if (setgroups(1, &a.gid) != 0) fail("setgroups");
    }
    if (setresgid(a.gid, a.gid, a.gid) != 0) fail("setgid");
    if (setresuid(a.uid, a.uid, a.uid) != 0) fail("setuid");

    // The point of no return must really be one.
    if (setuid(0) == 0 || seteuid(0) == 0 || setgid(0) == 0)
        throw std::runtime_error("privileges could be regained after setuid");
    uid_t ru, eu, su;
    gid_t rg, eg, sg;
    getresuid(&ru, &eu, &su);
    getresgid(&rg, &eg, &sg);
    if (ru != a.uid || eu != a.uid || su != a.uid || rg != a.gid || eg != a.gid || sg != a.gid)
        throw std::runtime_error("user and group ids are not the user's after setuid");

    setenv("HOME", a.home.c_str(), 1);
    setenv("USER", a.user.c_str(), 1);
    setenv("LOGNAME", a.user.c_str(), 1);
    if (chdir(a.home.c_str()) != 0 && chdir("/") != 0) fail("chdir");
}

}  // namespace mail::imapd
