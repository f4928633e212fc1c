#include "imapd/tls/tls_server.hpp"

#include <stdexcept>

#include "imapd/tls/openssl_library.hpp"

namespace mail::imapd {

std::string openssl_errors() {
    const OpenSsl& ssl = openssl();
    std::string out;
    while (unsigned long e = ssl.ERR_get_error()) {
        char buf[256];
        ssl.ERR_error_string_n(e, buf, sizeof buf);
        if (!out.empty()) out += "; ";
        out += buf;
    }
    return out.empty() ? "unknown error" : out;
}

TlsServer::TlsServer(const std::string& cert_path, const std::string& key_path) {
    if (cert_path.empty() || key_path.empty())
        throw std::runtime_error("TLS needs both tls_cert and tls_key");
    const OpenSsl& ssl = openssl();  // throws when libssl cannot be loaded
    ctx_ = ssl.SSL_CTX_new(ssl.TLS_server_method());
    if (!ctx_) throw std::runtime_error("SSL_CTX_new: " + openssl_errors());
    // SSL_CTX_set_min_proto_version and SSL_CTX_set_session_cache_mode are
    // macros over SSL_CTX_ctrl.
    ssl.SSL_CTX_ctrl(ctx_, SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION, nullptr);
    ssl.SSL_CTX_set_options(ctx_, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                  SSL_OP_CIPHER_SERVER_PREFERENCE);
    // One process per connection: a session cache would never be hit.
    ssl.SSL_CTX_ctrl(ctx_, SSL_CTRL_SET_SESS_CACHE_MODE, SSL_SESS_CACHE_OFF, nullptr);
    if (ssl.SSL_CTX_use_certificate_chain_file(ctx_, cert_path.c_str()) != 1) {
        std::string e = openssl_errors();
        ssl.SSL_CTX_free(ctx_);
        throw std::runtime_error("cannot load tls_cert " + cert_path + ": " + e);
    }
    if (ssl.SSL_CTX_use_PrivateKey_file(ctx_, key_path.c_str(), SSL_FILETYPE_PEM) != 1) {
        std::string e = openssl_errors();
        ssl.SSL_CTX_free(ctx_);
        throw std::runtime_error("cannot load tls_key " + key_path + ": " + e);
    }
    if (ssl.SSL_CTX_check_private_key(ctx_) != 1) {
        ssl.SSL_CTX_free(ctx_);
        throw std::runtime_error("tls_key " + key_path + " does not match tls_cert " + cert_path);
    }
}

TlsServer::~TlsServer() { openssl().SSL_CTX_free(ctx_); }

}  // namespace mail::imapd
