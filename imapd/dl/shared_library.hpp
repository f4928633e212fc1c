// A library imapd loads at first use (OpenSSL, PAM) instead of at start, so
// that a session that needs neither does not pay for the dynamic loader's
// work. Errors name the library and the missing symbol.
#pragma once

#include <dlfcn.h>

#include <stdexcept>
#include <string>
#include <type_traits>

namespace mail::imapd {

class SharedLibrary {
public:
    // what: the name used in errors ("PAM", "OpenSSL"). The handle is never
    // closed: the libraries register exit handlers of their own.
    SharedLibrary(const char* soname, const char* what) : soname_(soname), what_(what) {
        handle_ = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
        if (!handle_) {
            const char* why = ::dlerror();
            throw std::runtime_error(std::string("cannot load ") + what + " (" + soname + "): " +
                                     (why ? why : "dlopen failed"));
        }
    }

    // Sets the function pointer slot to the symbol name.
    template <class Slot>
    void bind(Slot& slot, const char* name) const {
        void* sym = ::dlsym(handle_, name);
        if (!sym) throw std::runtime_error(std::string(what_) + " (" + soname_ + ") lacks " + name);
        slot = reinterpret_cast<std::remove_reference_t<Slot>>(sym);
    }

private:
    const char* soname_;
    const char* what_;
    void* handle_ = nullptr;
};

}  // namespace mail::imapd
