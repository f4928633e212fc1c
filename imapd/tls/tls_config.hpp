// The TLS set-up of a root-started session that may never start TLS: the
// certificate and key files are checked when the session starts (as root,
// so that a missing file still means BYE at the greeting), but OpenSSL is
// loaded and the files parsed only when TLS starts: implicit TLS at once,
// STARTTLS at the command. A plaintext greeting waits for neither.
#pragma once

#include <memory>
#include <string>

namespace mail::imapd {

class TlsServer;

class TlsConfig {
public:
    // Throws std::runtime_error with a sentence for the log when one of the
    // two is not set or cannot be opened.
    TlsConfig(std::string cert_path, std::string key_path);
    ~TlsConfig();
    TlsConfig(const TlsConfig&) = delete;
    TlsConfig& operator=(const TlsConfig&) = delete;

    // Builds the TlsServer on the first call (root must still be the user);
    // throws as TlsServer's constructor does, and again at the next call.
    const TlsServer& server();

private:
    std::string cert_, key_;
    std::unique_ptr<TlsServer> server_;
};

}  // namespace mail::imapd
