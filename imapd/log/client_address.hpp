// Who is on the other end of stdin: the peer's address when stdin is a
// socket (inetd, xinetd, systemd Accept=yes), "local" for a pipe or a
// terminal (ssh, rsh, tests). Used in log lines and for
// plaintext_auth = localhost.
#pragma once

#include <string>

namespace mail::imapd {

struct ClientAddress {
    std::string host = "local";  // "192.0.2.7", "2001:db8::1", "local"
    bool is_socket = false;
    bool loopback = false;       // 127.0.0.0/8, ::1, ::ffff:127.x, or not a socket
    int local_port = 0;          // the port the client connected to; 0: not TCP
};

// Reads getpeername/getsockname of fd. IPv4-mapped IPv6 addresses are
// shown as IPv4.
ClientAddress client_address(int fd);

// Turns on TCP keepalive on fd when it is a TCP socket, so that a session
// whose client vanished without a FIN ends eventually.
void enable_keepalive(int fd);

}  // namespace mail::imapd
