#include "imapd/auth/pam_library.hpp"

#include <dlfcn.h>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace mail::imapd {

namespace {

// The soname Linux-PAM has kept since 0.x; the ABI of these calls is fixed.
constexpr const char* kLibPam = "libpam.so.0";

Pam load() {
    void* lib = ::dlopen(kLibPam, RTLD_NOW | RTLD_LOCAL);  // never closed
    if (!lib) {
        const char* why = ::dlerror();
        throw std::runtime_error(std::string("cannot load PAM (") + kLibPam + "): " +
                                 (why ? why : "dlopen failed"));
    }
    Pam api;
    auto bind = [lib](auto& slot, const char* name) {
        void* sym = ::dlsym(lib, name);
        if (!sym) throw std::runtime_error(std::string("PAM (") + kLibPam + ") lacks " + name);
        slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(sym);
    };
#define MAIL_PAM_BIND(name) bind(api.name, #name);
    MAIL_PAM_FUNCTIONS(MAIL_PAM_BIND)
#undef MAIL_PAM_BIND
    return api;
}

}  // namespace

const Pam& pam() {
    static const Pam api = load();  // a throw leaves it to the next call
    return api;
}

}  // namespace mail::imapd
