// The STATUS response, shared by STATUS (status.cpp) and LIST's RETURN
// (STATUS (...)) (RFC 5819, list.cpp).
#pragma once

#include <string>
#include <vector>

#include "imapd/protocol/mailbox_requests.hpp"

namespace mail::imapd {

class Session;

// Sends "* STATUS name (items)" for the mailbox: the selected one from the
// session's view, another opened read-only. Throws ParseError for items the
// server cannot answer, MailError when the mailbox cannot be opened.
void send_status(Session& s, const std::string& name, const std::vector<StatusItem>& items);

// ParseError (tagged BAD) for items the session's mode does not have:
// RECENT once IMAP4rev2 is enabled (RFC 9051 removed it with \Recent).
void check_status_items(Session& s, const std::vector<StatusItem>& items);

}  // namespace mail::imapd
