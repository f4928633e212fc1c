#include "imapd/tls/tls_config.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <unistd.h>

#include "imapd/tls/tls_server.hpp"

namespace mail::imapd {

namespace {

void check_readable(const char* what, const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) throw std::runtime_error(std::string("cannot load ") + what + " " + path + ": " + std::strerror(errno));
    ::close(fd);
}

}  // namespace

TlsConfig::TlsConfig(std::string cert_path, std::string key_path)
    : cert_(std::move(cert_path)), key_(std::move(key_path)) {
    if (cert_.empty() || key_.empty()) throw std::runtime_error("TLS needs both tls_cert and tls_key");
    check_readable("tls_cert", cert_);
    check_readable("tls_key", key_);
}

TlsConfig::~TlsConfig() = default;

const TlsServer& TlsConfig::server() {
    if (!server_) server_ = std::make_unique<TlsServer>(cert_, key_);
    return *server_;
}

}  // namespace mail::imapd
