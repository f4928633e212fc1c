#include <cerrno>
#include <poll.h>
#include <unistd.h>

#include "imapd/session/transport.hpp"

namespace mail::imapd {

size_t FdTransport::read(char* buf, size_t n) {
    for (;;) {
        ssize_t r = ::read(in_, buf, n);
        if (r >= 0) return static_cast<size_t>(r);
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            pollfd p{in_, POLLIN, 0};
            ::poll(&p, 1, -1);
            continue;
        }
        return 0;  // a reset connection ends the session like a close
    }
}

bool FdTransport::write(std::string_view data) { return write_all(out_, data); }

bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t w = ::write(fd, data.data(), data.size());
        if (w > 0) {
            data.remove_prefix(static_cast<size_t>(w));
        } else if (w < 0 && errno == EINTR) {
            continue;
        } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            pollfd p{fd, POLLOUT, 0};
            ::poll(&p, 1, -1);
        } else {
            return false;  // EPIPE (SIGPIPE is ignored) or another error
        }
    }
    return true;
}

Transport::Wait FdTransport::wait(int other_fd, int timeout_ms) {
    pollfd p[2] = {{in_, POLLIN, 0}, {other_fd, POLLIN, 0}};
    for (;;) {
        int r = ::poll(p, other_fd >= 0 ? 2 : 1, timeout_ms);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return Wait::Input;  // let read() find the error
        if (r == 0) return Wait::Timeout;
        if (p[0].revents) return Wait::Input;
        return Wait::Other;
    }
}

}  // namespace mail::imapd
