// The parser's memory does not grow with the message: a generated
// multipart message (1 GB; 64 MB under the sanitizers, which are slower) is
// parsed in a child process whose peak RSS may grow by at most 16 MB while
// it parses. The growth is measured, not the peak, because a forked child
// starts with the whole test binary's resident pages (the earlier tests'
// included): the child resets its peak (/proc/self/clear_refs) and reports
// VmHWM minus its RSS at the start.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

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

// A "VmRSS:"-style field of /proc/self/status in kB, 0 if absent.
long status_kb(const std::string& field) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
    return 0;
}

}  // namespace

TEST_CASE("parsing a huge message takes bounded memory", "[mime][memory]") {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        long start = status_kb("VmRSS");
        { std::ofstream("/proc/self/clear_refs") << "5"; }  // peak := current
        size_t parts = generate_and_parse(kMessageSize);
        long growth = status_kb("VmHWM") - start;
        (void)!write(fds[1], &growth, sizeof growth);
        _exit(parts > 2 ? 0 : 1);
    }
    close(fds[1]);
    long growth = -1;
    REQUIRE(read(fds[0], &growth, sizeof growth) == sizeof growth);
    close(fds[0]);
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    INFO("peak RSS growth while parsing " << growth << " KB");
    CHECK(growth >= 0);
#if defined(__SANITIZE_ADDRESS__)
    CHECK(growth < 128 * 1024);  // ASan's shadow memory and quarantine
#else
    CHECK(growth < 16 * 1024);
#endif
}
