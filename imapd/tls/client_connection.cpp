#include "imapd/tls/client_connection.hpp"

#include <cerrno>
#include <poll.h>
#include <unistd.h>

#include "imapd/tls/openssl_library.hpp"
#include "imapd/tls/tls_server.hpp"

namespace mail::imapd {

namespace {

// Long enough for a slow client, short enough that a stalled handshake
// does not hold a process for the whole login_timeout twice.
constexpr int kHandshakeTimeoutMs = 60 * 1000;

}  // namespace

ClientConnection::ClientConnection(int in_fd, int out_fd) : in_(in_fd), out_(out_fd) {}

ClientConnection::~ClientConnection() {
    if (ssl_) {
        if (!failed_ && !pending_) openssl().SSL_shutdown(ssl_);
        openssl().SSL_free(ssl_);
    }
}

bool ClientConnection::wait_fd(int fd, short events) {
    pollfd p{fd, events, 0};
    for (;;) {
        int r = ::poll(&p, 1, kHandshakeTimeoutMs);
        if (r < 0 && errno == EINTR) continue;
        return r > 0;
    }
}

void ClientConnection::start_tls_before_next_read(const TlsServer& server) {
    ssl_ = openssl().SSL_new(server.context());
    pending_ = ssl_ != nullptr;
    if (!ssl_) failed_ = true;
}

bool ClientConnection::start_tls(const TlsServer& server) {
    start_tls_before_next_read(server);
    return !failed_ && handshake();
}

bool ClientConnection::handshake() {
    pending_ = false;
    // stdin and stdout may be two descriptors (a pipe pair) or one socket.
    openssl().SSL_set_rfd(ssl_, in_);
    openssl().SSL_set_wfd(ssl_, out_);
    for (;;) {
        openssl().ERR_clear_error();
        int r = openssl().SSL_accept(ssl_);
        if (r == 1) return true;
        int e = openssl().SSL_get_error(ssl_, r);
        if (e == SSL_ERROR_WANT_READ && wait_fd(in_, POLLIN)) continue;
        if (e == SSL_ERROR_WANT_WRITE && wait_fd(out_, POLLOUT)) continue;
        if (e == SSL_ERROR_SYSCALL && errno == EINTR) continue;
        failed_ = true;
        error_ = "TLS handshake failed: " + openssl_errors();
        return false;
    }
}

size_t ClientConnection::read(char* buf, size_t n) {
    if (failed_) return 0;
    if (pending_ && !handshake()) return 0;
    if (!ssl_) {
        for (;;) {
            ssize_t r = ::read(in_, buf, n);
            if (r >= 0) {
                in_bytes_ += static_cast<uint64_t>(r);
                return static_cast<size_t>(r);
            }
            if (errno == EINTR) continue;
            if ((errno == EAGAIN || errno == EWOULDBLOCK) && wait_fd(in_, POLLIN)) continue;
            return 0;
        }
    }
    for (;;) {
        openssl().ERR_clear_error();
        int r = openssl().SSL_read(ssl_, buf, static_cast<int>(n > 1 << 30 ? 1 << 30 : n));
        if (r > 0) {
            in_bytes_ += static_cast<uint64_t>(r);
            return static_cast<size_t>(r);
        }
        int e = openssl().SSL_get_error(ssl_, r);
        if (e == SSL_ERROR_WANT_READ) {
            pollfd p{in_, POLLIN, 0};
            ::poll(&p, 1, -1);
            continue;
        }
        if (e == SSL_ERROR_WANT_WRITE) {
            pollfd p{out_, POLLOUT, 0};
            ::poll(&p, 1, -1);
            continue;
        }
        if (e == SSL_ERROR_SYSCALL && errno == EINTR) continue;
        failed_ = e != SSL_ERROR_ZERO_RETURN;
        return 0;
    }
}

bool ClientConnection::write(std::string_view data) {
    if (failed_) return false;
    out_bytes_ += data.size();
    while (!data.empty()) {
        if (ssl_ && !pending_) {
            openssl().ERR_clear_error();
            int w = openssl().SSL_write(ssl_, data.data(), static_cast<int>(data.size() > 1 << 30 ? 1 << 30 : data.size()));
            if (w > 0) {
                data.remove_prefix(static_cast<size_t>(w));
                continue;
            }
            int e = openssl().SSL_get_error(ssl_, w);
            if (e == SSL_ERROR_WANT_WRITE) {
                pollfd p{out_, POLLOUT, 0};
                ::poll(&p, 1, -1);
            } else if (e == SSL_ERROR_WANT_READ) {
                pollfd p{in_, POLLIN, 0};
                ::poll(&p, 1, -1);
            } else if (!(e == SSL_ERROR_SYSCALL && errno == EINTR)) {
                failed_ = true;
                return false;
            }
            continue;
        }
        return write_all(out_, data);  // plaintext: before TLS, or none configured
    }
    return true;
}

Transport::Wait ClientConnection::wait(int other_fd, int timeout_ms) {
    // Decrypted bytes OpenSSL already holds never show on the descriptor;
    // a pending handshake is work for read() too.
    if (pending_ || failed_ || (ssl_ && openssl().SSL_pending(ssl_) > 0)) return Wait::Input;
    pollfd p[2] = {{in_, POLLIN, 0}, {other_fd, POLLIN, 0}};
    for (;;) {
        int r = ::poll(p, other_fd >= 0 ? 2 : 1, timeout_ms);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return Wait::Input;
        if (r == 0) return Wait::Timeout;
        if (p[0].revents) return Wait::Input;
        return Wait::Other;
    }
}

std::string ClientConnection::tls_description() const {
    if (!tls_active()) return {};
    const OpenSsl& ssl = openssl();
    return std::string(ssl.SSL_get_version(ssl_)) + " " + ssl.SSL_CIPHER_get_name(ssl.SSL_get_current_cipher(ssl_));
}

}  // namespace mail::imapd
