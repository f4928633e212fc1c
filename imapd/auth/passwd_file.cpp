#include "imapd/auth/passwd_file.hpp"

#include <charconv>
#include <crypt.h>
#include <cstring>
#include <fstream>
#include <grp.h>
#include <pwd.h>
#include <strings.h>
#include <vector>

#include "imapd/tls/openssl_library.hpp"

namespace mail::imapd {

namespace {

std::vector<std::string_view> split_colons(std::string_view line) {
    std::vector<std::string_view> fields;
    for (;;) {
        size_t c = line.find(':');
        fields.push_back(line.substr(0, c));
        if (c == std::string_view::npos) break;
        line.remove_prefix(c + 1);
    }
    return fields;
}

bool equal_constant_time(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    return openssl().CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string base64_decode(std::string_view in) {
    std::string out(in.size() / 4 * 3 + 3, '\0');
    int n = openssl().EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(in.data()),
                            static_cast<int>(in.size()));
    if (n < 0 || in.size() % 4 != 0) return {};
    size_t pad = 0;
    for (size_t i = in.size(); i > 0 && in[i - 1] == '='; --i) ++pad;
    out.resize(static_cast<size_t>(n) - pad);
    return out;
}

std::string digest(const EVP_MD* md, std::string_view a, std::string_view b) {
    unsigned char buf[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_MD_CTX* ctx = openssl().EVP_MD_CTX_new();
    openssl().EVP_DigestInit_ex(ctx, md, nullptr);
    openssl().EVP_DigestUpdate(ctx, a.data(), a.size());
    openssl().EVP_DigestUpdate(ctx, b.data(), b.size());
    openssl().EVP_DigestFinal_ex(ctx, buf, &len);
    openssl().EVP_MD_CTX_free(ctx);
    return std::string(reinterpret_cast<char*>(buf), len);
}

// {SHA256}base64(H(p)) or {SSHA256}base64(H(p + salt) + salt).
bool verify_sha(const EVP_MD* md, bool salted, std::string_view data, std::string_view password) {
    std::string raw = base64_decode(data);
    size_t hlen = static_cast<size_t>(openssl().EVP_MD_get_size(md));
    if (raw.size() < hlen || (!salted && raw.size() != hlen)) return false;
    std::string_view salt = std::string_view(raw).substr(hlen);
    return equal_constant_time(digest(md, password, salt), std::string_view(raw).substr(0, hlen));
}

bool verify_crypt(std::string_view hash, std::string_view password) {
    if (hash.empty() || hash[0] == '!' || hash[0] == '*') return false;
    crypt_data data{};
    std::string h(hash), p(password);
    const char* out = crypt_r(p.c_str(), h.c_str(), &data);
    return out && out[0] != '*' && equal_constant_time(out, hash);
}

bool id_from(std::string_view text, bool is_group, unsigned& out) {
    if (text.empty()) return false;
    auto r = std::from_chars(text.data(), text.data() + text.size(), out);
    if (r.ec == std::errc() && r.ptr == text.data() + text.size()) return true;
    std::string name(text);
    if (is_group) {
        const group* g = getgrnam(name.c_str());
        if (!g) return false;
        out = g->gr_gid;
    } else {
        const passwd* pw = getpwnam(name.c_str());
        if (!pw) return false;
        out = pw->pw_uid;
    }
    return true;
}

class PasswdFileDb : public PassDb {
public:
    explicit PasswdFileDb(std::string path) : path_(std::move(path)) {}

    AuthResult authenticate(const std::string& user, const std::string& password,
                            const std::string&) override {
        AuthResult r;
        std::ifstream in(path_);
        if (!in) {
            r.reason = "cannot read passwd-file " + path_;
            return r;
        }
        for (std::string line; std::getline(in, line);) {
            auto e = parse_passwd_file_line(line);
            if (!e || e->user != user) continue;
            if (!verify_password(e->password, password)) {
                r.reason = "wrong password";
                return r;
            }
            unsigned uid = 0, gid = 0;
            if (!id_from(e->uid, false, uid) || !id_from(e->gid, true, gid) || uid == 0) {
                r.reason = "passwd-file entry has no usable uid/gid";
                return r;
            }
            if (e->home.empty() || e->home[0] != '/') {
                r.reason = "passwd-file entry has no absolute home";
                return r;
            }
            r.ok = true;
            r.account = {e->user, uid, gid, e->home};
            return r;
        }
        r.reason = "unknown user";
        return r;
    }

private:
    std::string path_;
};

}  // namespace

std::optional<PasswdFileEntry> parse_passwd_file_line(std::string_view line) {
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
    if (line.empty() || line[0] == '#') return std::nullopt;
    auto f = split_colons(line);
    if (f[0].empty()) return std::nullopt;
    PasswdFileEntry e;
    e.user = f[0];
    auto field = [&](size_t i) { return i < f.size() ? std::string(f[i]) : std::string(); };
    e.password = field(1);
    e.uid = field(2);
    e.gid = field(3);
    e.home = field(5);
    return e;
}

bool verify_password(std::string_view stored, std::string_view password) {
    std::string_view scheme = "CRYPT";
    if (!stored.empty() && stored[0] == '{') {
        size_t close = stored.find('}');
        if (close == std::string_view::npos) return false;
        scheme = stored.substr(1, close - 1);
        stored.remove_prefix(close + 1);
    }
    if (stored.empty()) return false;
    auto is = [&](const char* name) {
        return scheme.size() == strlen(name) && strncasecmp(scheme.data(), name, scheme.size()) == 0;
    };
    if (is("PLAIN") || is("CLEARTEXT")) return equal_constant_time(stored, password);
    if (is("CRYPT") || is("MD5-CRYPT") || is("SHA256-CRYPT") || is("SHA512-CRYPT") ||
        is("BLF-CRYPT") || is("DES-CRYPT"))
        return verify_crypt(stored, password);
    if (is("SHA256")) return verify_sha(openssl().EVP_sha256(), false, stored, password);
    if (is("SHA512")) return verify_sha(openssl().EVP_sha512(), false, stored, password);
    if (is("SSHA256")) return verify_sha(openssl().EVP_sha256(), true, stored, password);
    if (is("SSHA512")) return verify_sha(openssl().EVP_sha512(), true, stored, password);
    return false;
}

std::unique_ptr<PassDb> make_passwd_file_db(std::string path) {
    return std::make_unique<PasswdFileDb>(std::move(path));
}

}  // namespace mail::imapd
