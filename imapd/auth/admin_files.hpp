// UW imapd's administrator files: the text of alert_file is shown to every
// session at login as "* OK [ALERT] text"; while shutdown_file exists, new
// sessions are told "* BYE text" and end.
#pragma once

#include <optional>
#include <string>

namespace mail::imapd {

// The file's text made fit for one response line (line ends become spaces,
// other control characters are dropped, at most 1000 bytes); nullopt when
// the file does not exist or the path is empty. An existing empty file
// gives "" (a shutdown file needs no text).
std::optional<std::string> read_admin_file(const std::string& path);

}  // namespace mail::imapd
