#include "imapd/auth/sasl.hpp"

#include "imapd/tls/openssl_library.hpp"

namespace mail::imapd {

std::optional<std::string> sasl_base64_decode(std::string_view in) {
    if (in == "=") return std::string();
    if (in.size() % 4 != 0) return std::nullopt;
    for (size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        bool pad_ok = c == '=' && i + 2 >= in.size() && (i + 1 == in.size() || in[i + 1] == '=');
        if (!alnum && c != '+' && c != '/' && !pad_ok) return std::nullopt;
    }
    std::string out(in.size() / 4 * 3, '\0');
    int n = openssl().EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(in.data()),
                            static_cast<int>(in.size()));
    if (n < 0) return std::nullopt;
    size_t pad = 0;
    if (!in.empty() && in.back() == '=') ++pad;
    if (in.size() > 1 && in[in.size() - 2] == '=') ++pad;
    out.resize(static_cast<size_t>(n) - pad);
    return out;
}

std::string sasl_base64_encode(std::string_view in) {
    std::string out((in.size() + 2) / 3 * 4 + 1, '\0');
    int n = openssl().EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(in.data()),
                            static_cast<int>(in.size()));
    out.resize(static_cast<size_t>(n));
    return out;
}

std::optional<PlainCredentials> parse_sasl_plain(std::string_view m) {
    size_t a = m.find('\0');
    if (a == std::string_view::npos) return std::nullopt;
    size_t b = m.find('\0', a + 1);
    if (b == std::string_view::npos || m.find('\0', b + 1) != std::string_view::npos)
        return std::nullopt;
    PlainCredentials c{std::string(m.substr(0, a)), std::string(m.substr(a + 1, b - a - 1)),
                       std::string(m.substr(b + 1))};
    if (c.authcid.empty()) return std::nullopt;
    return c;
}

}  // namespace mail::imapd
