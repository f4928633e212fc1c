// The client connection as the session sees it, so that tests can replace
// the file descriptors with memory.
#pragma once

#include <cstddef>
#include <string_view>

namespace mail::imapd {

class Transport {
public:
    enum class Wait { Input, Other, Timeout };

    virtual ~Transport() = default;
    // Reads what is available (blocking until something is); 0 when the
    // client has gone.
    virtual size_t read(char* buf, size_t n) = 0;
    // Writes all of data; false when the client has gone.
    virtual bool write(std::string_view data) = 0;
    // Waits until input is readable (or the client has gone), or other_fd
    // (when >= 0) is readable, or timeout_ms passes (-1: no timeout).
    virtual Wait wait(int other_fd, int timeout_ms) = 0;
};

// Writes all of data to fd, waiting when it is non-blocking and full; false
// when the connection is gone (EPIPE: SIGPIPE is ignored) or on another error.
bool write_all(int fd, std::string_view data);

// stdin/stdout, which are often one socket (inetd, socat, ssh): the
// descriptors are used as they are, and writes cope with short writes and
// EAGAIN in case someone made them non-blocking.
class FdTransport : public Transport {
public:
    FdTransport(int in_fd, int out_fd) : in_(in_fd), out_(out_fd) {}
    size_t read(char* buf, size_t n) override;
    bool write(std::string_view data) override;
    Wait wait(int other_fd, int timeout_ms) override;

private:
    int in_, out_;
};

}  // namespace mail::imapd
