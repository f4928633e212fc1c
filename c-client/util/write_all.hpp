// Writes all of bytes to a blocking fd, retrying short writes and EINTR.
#pragma once

#include <cerrno>
#include <string_view>

#include <unistd.h>

namespace mail {

// false on an error (errno says which) or a write of 0 bytes.
inline bool write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
}

}  // namespace mail
