// The server's TLS configuration through OpenSSL: the certificate chain
// and key from tls_cert and tls_key, TLS 1.2 and 1.3 only. Loaded as root
// before the privileges are dropped (the key is readable by root only).
#pragma once

#include <memory>
#include <string>

typedef struct ssl_ctx_st SSL_CTX;

namespace mail::imapd {

class TlsServer {
public:
    // Throws std::runtime_error with a sentence for the log when a file is
    // missing or unreadable or the key does not match the certificate.
    TlsServer(const std::string& cert_path, const std::string& key_path);
    ~TlsServer();
    TlsServer(const TlsServer&) = delete;
    TlsServer& operator=(const TlsServer&) = delete;

    SSL_CTX* context() const { return ctx_; }

private:
    SSL_CTX* ctx_ = nullptr;
};

// The last OpenSSL errors as one line (and clears the queue).
std::string openssl_errors();

}  // namespace mail::imapd
