// Mailbox names at the protocol edge (RFC 6855 UTF8=ACCEPT). The Store keeps
// names in modified UTF-7 (RFC 3501 5.1.3), as clients send them by default
// and as Dovecot and UW name folders on disk. Once the client has sent
// ENABLE UTF8=ACCEPT (or IMAP4rev2) names travel as UTF-8 in both
// directions: what it sends is converted here to modified UTF-7, what the
// server sends is converted back. Without it names pass through unchanged.
#pragma once

#include <string>
#include <string_view>

namespace mail::imapd {

class Session;

// --- pure forms (utf8: UTF8=ACCEPT is on) ---

// A name as received to the Store's form. With utf8 the name must be valid
// UTF-8 (ParseError, for a BAD, otherwise) and is encoded as modified UTF-7
// ("&" becomes "&-"); without it the name is returned as sent.
std::string mailbox_name_from_wire(std::string_view name, bool utf8);
// A LIST/LSUB reference or pattern as received: with utf8 it must be valid
// UTF-8 (ParseError otherwise) and is matched against mailbox_name_to_wire()
// forms; returned unchanged.
std::string mailbox_pattern_from_wire(std::string_view pattern, bool utf8);
// A stored name as the client sees it: UTF-8 with utf8 (a stored name that
// is not valid modified UTF-7 is left as it is), unchanged without.
std::string mailbox_name_to_wire(std::string_view stored, bool utf8);
// mailbox_name_to_wire() written as an IMAP astring: an atom when it can
// be one, a quoted string (holding UTF-8 with utf8, RFC 6855 3), else a
// literal.
std::string mailbox_wire_astring(std::string_view stored, bool utf8);

// --- the same for a session: utf8 = session.enabled("UTF8=ACCEPT") ---
bool utf8_names(const Session& session);
std::string name_from_client(const Session& session, std::string_view name);
std::string pattern_from_client(const Session& session, std::string_view pattern);
std::string name_to_client(const Session& session, std::string_view stored);
std::string name_astring_to_client(const Session& session, std::string_view stored);

}  // namespace mail::imapd
