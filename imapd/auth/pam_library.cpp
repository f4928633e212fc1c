#include "imapd/auth/pam_library.hpp"

#include "imapd/dl/shared_library.hpp"

namespace mail::imapd {

namespace {

// The soname Linux-PAM has kept since 0.x; the ABI of these calls is fixed.
constexpr const char* kLibPam = "libpam.so.0";

Pam load() {
    SharedLibrary lib(kLibPam, "PAM");
    Pam api;
#define MAIL_PAM_BIND(name) lib.bind(api.name, #name);
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
