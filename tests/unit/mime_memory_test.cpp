// The parser's memory does not grow with the message: a generated
// multipart message (1 GB; 64 MB under the sanitizers, which are slower) is
// parsed in a child process whose peak RSS must stay under 16 MB.
#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mime/parser.hpp"

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr uint64_t kMessageSize = 64ull << 20;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr uint64_t kMessageSize = 64ull << 20;
#else
constexpr uint64_t kMessageSize = 1ull << 30;
#endif
#else
constexpr uint64_t kMessageSize = 1ull << 30;
#endif

// Feeds a multipart/mixed message of about `size` bytes: alternating
// base64 (76-column lines) and text parts, 8 MB each, plus a 10 MB line
// without a break in one text part.
size_t generate_and_parse(uint64_t size) {
    mail::MimeParser parser;
    parser.feed("Subject: big\nContent-Type: multipart/mixed; boundary=\"==big==\"\n\npreamble\n");
    std::string b64;
    for (int i = 0; i < 1000; ++i) b64 += std::string(76, "QUJD"[i % 4]) + "\n";
    std::string text;
    for (int i = 0; i < 1000; ++i) text += "The quick brown fox jumps over the lazy dog, line " + std::to_string(i) + ".\n";
    std::string longline(1 << 20, 'x');
    uint64_t fed = 0;
    for (int part = 0; fed < size; ++part) {
        bool base64 = part % 2 == 0;
        parser.feed(base64 ? "--==big==\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n"
                           : "--==big==\nContent-Type: text/plain; charset=utf-8\n\n");
        if (part == 1)
            for (int i = 0; i < 10; ++i) parser.feed(longline), fed += longline.size();
        const std::string& chunk = base64 ? b64 : text;
        for (uint64_t n = 0; n < (8u << 20) && fed < size; n += chunk.size()) {
            parser.feed(chunk);
            fed += chunk.size();
        }
    }
    parser.feed("--==big==--\n");
    return parser.finish().children.size();
}

}  // namespace

TEST_CASE("parsing a huge message takes bounded memory", "[mime][memory]") {
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        size_t parts = generate_and_parse(kMessageSize);
        _exit(parts > 2 ? 0 : 1);
    }
    int status = 0;
    struct rusage ru {};
    REQUIRE(wait4(pid, &status, 0, &ru) == pid);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    INFO("peak RSS " << ru.ru_maxrss << " KB");
#if defined(__SANITIZE_ADDRESS__)
    CHECK(ru.ru_maxrss < 128 * 1024);  // ASan's shadow memory and quarantine
#else
    CHECK(ru.ru_maxrss < 16 * 1024);
#endif
}
