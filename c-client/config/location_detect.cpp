// The one part of location handling that looks at the file system: what
// kind of mailbox a bare MAIL path names.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "config/location.hpp"
#include "util/fd.hpp"

namespace mail {

std::string detect_mailbox_format(const std::string& path) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return "";
    if (S_ISDIR(st.st_mode)) {
        struct stat cur;
        std::string curdir = path + "/cur";
        return stat(curdir.c_str(), &cur) == 0 && S_ISDIR(cur.st_mode) ? "maildir" : "?";
    }
    if (!S_ISREG(st.st_mode)) return "?";
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (!fd) return "?";
    char head[5];
    ssize_t n = ::pread(fd.get(), head, sizeof head, 0);
    if (n < 0) return "?";
    // UW's mbx files begin "*mbx*\r\n"; anything else (empty, "From ") is unix.
    if (n == 5 && std::memcmp(head, "*mbx*", 5) == 0) return "mbx";
    return "unix";
}

}  // namespace mail
