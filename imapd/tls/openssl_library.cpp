#include "imapd/tls/openssl_library.hpp"

#include <dlfcn.h>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace mail::imapd {

namespace {

#define MAIL_OPENSSL_STR2(x) #x
#define MAIL_OPENSSL_STR(x) MAIL_OPENSSL_STR2(x)
constexpr const char* kLibSsl = "libssl.so." MAIL_OPENSSL_STR(OPENSSL_VERSION_MAJOR);

OpenSsl load() {
    // Never closed: OpenSSL registers exit handlers of its own.
    void* ssl = ::dlopen(kLibSsl, RTLD_NOW | RTLD_LOCAL);
    if (!ssl) {
        const char* why = ::dlerror();
        throw std::runtime_error(std::string("cannot load OpenSSL (") + kLibSsl + "): " +
                                 (why ? why : "dlopen failed"));
    }
    OpenSsl api;
    // dlsym on libssl's handle searches its dependency libcrypto as well.
    auto bind = [ssl](auto& slot, const char* name) {
        void* sym = ::dlsym(ssl, name);
        if (!sym) throw std::runtime_error(std::string("OpenSSL (") + kLibSsl + ") lacks " + name);
        slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(sym);
    };
#define MAIL_OPENSSL_BIND(name) bind(api.name, #name);
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
