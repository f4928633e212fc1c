// OpenSSL (libssl and libcrypto) loaded with dlopen the first time TLS, a
// {SHA256}-style password or SASL base64 needs it, instead of at exec: the
// dynamic loader's relocation of the two libraries was about half of
// imapd's CPU time to the greeting, and a preauthenticated or plaintext
// session never uses them. imapd is not linked with -lssl -lcrypto, so a
// call that bypasses this table fails at link time.
#pragma once

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

namespace mail::imapd {

// Every OpenSSL function imapd calls, each typed by its declaration in the
// headers we compile against (the library's major version is the same).
#define MAIL_OPENSSL_FUNCTIONS(X)                                                                  \
    X(ERR_get_error)                                                                               \
    X(ERR_error_string_n)                                                                          \
    X(ERR_clear_error)                                                                             \
    X(CRYPTO_memcmp)                                                                               \
    X(EVP_DecodeBlock)                                                                             \
    X(EVP_EncodeBlock)                                                                             \
    X(EVP_MD_CTX_new)                                                                              \
    X(EVP_MD_CTX_free)                                                                             \
    X(EVP_DigestInit_ex)                                                                           \
    X(EVP_DigestUpdate)                                                                            \
    X(EVP_DigestFinal_ex)                                                                          \
    X(EVP_MD_get_size)                                                                             \
    X(EVP_sha256)                                                                                  \
    X(EVP_sha512)                                                                                  \
    X(TLS_server_method)                                                                           \
    X(SSL_CTX_new)                                                                                 \
    X(SSL_CTX_free)                                                                                \
    X(SSL_CTX_ctrl)                                                                                \
    X(SSL_CTX_set_options)                                                                         \
    X(SSL_CTX_use_certificate_chain_file)                                                          \
    X(SSL_CTX_use_PrivateKey_file)                                                                 \
    X(SSL_CTX_check_private_key)                                                                   \
    X(SSL_new)                                                                                     \
    X(SSL_free)                                                                                    \
    X(SSL_set_rfd)                                                                                 \
    X(SSL_set_wfd)                                                                                 \
    X(SSL_accept)                                                                                  \
    X(SSL_get_error)                                                                               \
    X(SSL_read)                                                                                    \
    X(SSL_write)                                                                                   \
    X(SSL_pending)                                                                                 \
    X(SSL_shutdown)                                                                                \
    X(SSL_get_version)                                                                             \
    X(SSL_get_current_cipher)                                                                      \
    X(SSL_CIPHER_get_name)

struct OpenSsl {
#define MAIL_OPENSSL_MEMBER(name) decltype(&::name) name = nullptr;
    MAIL_OPENSSL_FUNCTIONS(MAIL_OPENSSL_MEMBER)
#undef MAIL_OPENSSL_MEMBER
};

// Loads libssl.so.N, and with it libcrypto.so.N (N the headers' major
// version), on the first call, then returns the same table. Throws std::runtime_error
// naming the library or the missing function when they cannot be loaded;
// a later call tries again.
const OpenSsl& openssl();

}  // namespace mail::imapd
