// Session-end line, log words and the client's address [login].
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "imapd/log/client_address.hpp"
#include "imapd/log/log.hpp"
#include "imapd/log/session_end.hpp"

using namespace mail::imapd;

TEST_CASE("log_word escapes spaces, controls and percent", "[login]") {
    struct Case { std::string in, out; };
    const Case cases[] = {
        {"fred", "fred"},
        {"", "-"},
        {"-", "%2D"},
        {"a b", "a%20b"},
        {"x%y", "x%25y"},
        {"evil\nline", "evil%0Aline"},
        {"\xc3\xa9", "%C3%A9"},
    };
    for (const auto& c : cases) CHECK(log_word(c.in) == c.out);
}

TEST_CASE("session end line round-trips through the parser", "[login]") {
    SessionEnd s;
    s.user = "fred smith";
    s.host = "2001:db8::1";
    s.connect = 1764111875;  // 2025-11-25T23:04:35Z
    s.duration = 12.3456;
    s.utime = 0.012;
    s.stime = 0.004;
    s.maxrss = 4096;
    s.minflt = 210;
    s.majflt = 1;
    s.nvcsw = 12;
    s.nivcsw = 3;
    s.bytes_in = 1234;
    s.bytes_out = 56789;
    std::string line = format_session_end(s);
    CHECK(line ==
          "session end: user=fred%20smith host=2001:db8::1 connect=2025-11-25T23:04:35Z "
          "duration=12.346 utime=0.012 stime=0.004 maxrss=4096 minflt=210 majflt=1 nvcsw=12 "
          "nivcsw=3 in=1234 out=56789");
    auto p = parse_session_end("Nov 25 23:04:48 host imapd[42]: " + line + "\n");
    REQUIRE(p);
    CHECK(p->user == "fred smith");
    CHECK(p->host == "2001:db8::1");
    CHECK(p->connect == s.connect);
    CHECK(p->duration == Approx(12.346));
    CHECK(p->maxrss == 4096);
    CHECK(p->nivcsw == 3);
    CHECK(p->bytes_in == 1234);
    CHECK(p->bytes_out == 56789);
}

TEST_CASE("session end parser refuses other lines", "[login]") {
    const char* bad[] = {
        "login: user=fred",
        "session end: user=fred",
        "session end: host=x user=fred connect=2025-11-25T23:04:35Z duration=1 utime=0 stime=0 "
        "maxrss=1 minflt=1 majflt=1 nvcsw=1 nivcsw=1 in=1 out=1",
        "session end: user=- host=x connect=yesterday duration=1 utime=0 stime=0 maxrss=1 "
        "minflt=1 majflt=1 nvcsw=1 nivcsw=1 in=1 out=1",
        "session end: user=- host=x connect=2025-11-25T23:04:35Z duration=1 utime=0 stime=0 "
        "maxrss=1 minflt=1 majflt=1 nvcsw=1 nivcsw=1 in=1 out=1x",
    };
    for (const char* line : bad) CHECK_FALSE(parse_session_end(line));
}

TEST_CASE("measure_session reads the process's rusage", "[login]") {
    SessionEnd s;
    measure_session(s, 1.5);
    CHECK(s.duration == 1.5);
    CHECK(s.maxrss > 0);
    CHECK(s.minflt > 0);
}

TEST_CASE("client_address: pipe is local, TCP loopback has host and port", "[login]") {
    int p[2];
    REQUIRE(pipe(p) == 0);
    ClientAddress pipe_addr = client_address(p[0]);
    CHECK(pipe_addr.host == "local");
    CHECK_FALSE(pipe_addr.is_socket);
    CHECK(pipe_addr.loopback);
    close(p[0]);
    close(p[1]);

    int listener = socket(AF_INET6, SOCK_STREAM, 0);
    if (listener < 0) return;  // no IPv6 here
    int off = 0;
    setsockopt(listener, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
    sockaddr_in6 addr{};
    addr.sin6_family = AF_INET6;
    addr.sin6_addr = in6addr_any;
    REQUIRE(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(listen(listener, 1) == 0);
    socklen_t len = sizeof addr;
    getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);

    int client = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = addr.sin6_port;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(connect(client, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0);
    int server = accept(listener, nullptr, nullptr);
    REQUIRE(server >= 0);
    ClientAddress a = client_address(server);
    CHECK(a.is_socket);
    CHECK(a.host == "127.0.0.1");  // IPv4-mapped shown as IPv4
    CHECK(a.loopback);
    CHECK(a.local_port == ntohs(addr.sin6_port));
    enable_keepalive(server);
    int on = 0;
    len = sizeof on;
    getsockopt(server, SOL_SOCKET, SO_KEEPALIVE, &on, &len);
    CHECK(on == 1);
    close(server);
    close(client);
    close(listener);
}
