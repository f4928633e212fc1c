// The client connection of a root-started session: stdin/stdout as they
// are, until TLS starts (STARTTLS, or at once for implicit TLS); then the
// same descriptors through OpenSSL. Counts the bytes in and out (the
// plaintext the session sees) for the session-end log line.
#pragma once

#include <cstdint>
#include <string>

#include "imapd/session/transport.hpp"

typedef struct ssl_st SSL;

namespace mail::imapd {

class TlsServer;

class ClientConnection : public Transport {
public:
    ClientConnection(int in_fd, int out_fd);
    ~ClientConnection() override;
    ClientConnection(const ClientConnection&) = delete;
    ClientConnection& operator=(const ClientConnection&) = delete;

    size_t read(char* buf, size_t n) override;
    bool write(std::string_view data) override;
    Wait wait(int other_fd, int timeout_ms) override;

    // Handshakes now (implicit TLS). Returns false, with a reason in
    // error(), when it fails; the connection is then unusable.
    bool start_tls(const TlsServer& server);
    // STARTTLS: the handshake happens at the next read, after the tagged
    // OK has been flushed in plaintext.
    void start_tls_before_next_read(const TlsServer& server);
    bool tls_active() const { return ssl_ != nullptr && !pending_; }
    bool tls_pending() const { return pending_; }
    // "TLSv1.3 TLS_AES_256_GCM_SHA384" when TLS is up.
    std::string tls_description() const;
    const std::string& error() const { return error_; }

    uint64_t bytes_in() const { return in_bytes_; }
    uint64_t bytes_out() const { return out_bytes_; }

private:
    bool handshake();
    bool wait_fd(int fd, short events);

    int in_, out_;
    SSL* ssl_ = nullptr;
    bool pending_ = false;
    bool failed_ = false;
    std::string error_;
    uint64_t in_bytes_ = 0, out_bytes_ = 0;
};

}  // namespace mail::imapd
