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

}  // namespace mail::imapd
