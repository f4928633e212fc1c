#include "imapd/log/client_address.hpp"

#include <arpa/inet.h>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace mail::imapd {

namespace {

bool is_tcp(const sockaddr_storage& ss) {
    return ss.ss_family == AF_INET || ss.ss_family == AF_INET6;
}

int port_of(const sockaddr_storage& ss) {
    if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(ss).sin_port);
    if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(ss).sin6_port);
    return 0;
}

}  // namespace

ClientAddress client_address(int fd) {
    ClientAddress a;
    a.loopback = true;  // a pipe is as local as it gets
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return a;
    a.is_socket = true;
    char buf[INET6_ADDRSTRLEN] = {};
    if (ss.ss_family == AF_INET) {
        const auto& in = reinterpret_cast<const sockaddr_in&>(ss);
        inet_ntop(AF_INET, &in.sin_addr, buf, sizeof buf);
        a.host = buf;
        a.loopback = (ntohl(in.sin_addr.s_addr) >> 24) == 127;
    } else if (ss.ss_family == AF_INET6) {
        const auto& in6 = reinterpret_cast<const sockaddr_in6&>(ss);
        if (IN6_IS_ADDR_V4MAPPED(&in6.sin6_addr)) {
            in_addr v4;
            std::memcpy(&v4, in6.sin6_addr.s6_addr + 12, 4);
            inet_ntop(AF_INET, &v4, buf, sizeof buf);
            a.loopback = (ntohl(v4.s_addr) >> 24) == 127;
        } else {
            inet_ntop(AF_INET6, &in6.sin6_addr, buf, sizeof buf);
            a.loopback = IN6_IS_ADDR_LOOPBACK(&in6.sin6_addr);
        }
        a.host = buf;
    } else {
        // A Unix-domain socket (socat, a local proxy): local.
        a.host = "local";
        a.loopback = true;
    }
    sockaddr_storage self{};
    len = sizeof self;
    if (is_tcp(ss) && getsockname(fd, reinterpret_cast<sockaddr*>(&self), &len) == 0)
        a.local_port = port_of(self);
    return a;
}

void enable_keepalive(int fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0 || !is_tcp(ss)) return;
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
    // Probe after 10 minutes idle, every minute, give up after 5 misses.
    int idle = 600, interval = 60, count = 5;
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
}

}  // namespace mail::imapd
