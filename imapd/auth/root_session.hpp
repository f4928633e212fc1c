// A session started by root, as inetd, xinetd and systemd (Accept=yes)
// start imapd: reads the configuration, opens the log, finds the client's
// address, honours the shutdown file, sets up TLS (implicit with -s or on
// local port 993, else STARTTLS), greets with "* OK", authenticates
// (PAM or passwd-file), drops to the user and only then opens the user's
// mail. Logs the login, failures and the session-end line.
#pragma once

#include <string>

namespace mail::imapd {

// Serves stdin/stdout; returns the process exit status.
int run_root_session(const std::string& config_path, bool implicit_tls);

}  // namespace mail::imapd
