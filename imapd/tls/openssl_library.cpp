#include "imapd/tls/openssl_library.hpp"

#include "imapd/dl/shared_library.hpp"

namespace mail::imapd {

namespace {

#define MAIL_OPENSSL_STR2(x) #x
#define MAIL_OPENSSL_STR(x) MAIL_OPENSSL_STR2(x)
constexpr const char* kLibSsl = "libssl.so." MAIL_OPENSSL_STR(OPENSSL_VERSION_MAJOR);

OpenSsl load() {
    SharedLibrary ssl(kLibSsl, "OpenSSL");
    OpenSsl api;
    // dlsym on libssl's handle searches its dependency libcrypto as well.
#define MAIL_OPENSSL_BIND(name) ssl.bind(api.name, #name);
    MAIL_OPENSSL_FUNCTIONS(MAIL_OPENSSL_BIND)
#undef MAIL_OPENSSL_BIND
    return api;
}

}  // namespace

const OpenSsl& openssl() {
    static const OpenSsl api = load();  // a throw leaves it to the next call
    return api;
}

}  // namespace mail::imapd
