// IMAP4rev2 (RFC 9051) beside IMAP4rev1: when the server may advertise it,
// and the pure rules that differ once a client has sent ENABLE IMAP4rev2.
// The switches themselves sit in the commands (each says "rev2" where it
// answers differently); the session holds the mode (Session::rev2()).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "mailbox/types.hpp"

namespace mail::imapd {

inline constexpr std::string_view kImap4rev2 = "IMAP4rev2";

// The capabilities whose behaviour IMAP4rev2 includes (RFC 9051 1 and
// Appendix E) and that the command table must advertise before IMAP4rev2
// may be. SASL-IR is not listed: AUTHENTICATE always takes an initial
// response, and it is advertised only before login. UTF8=ACCEPT stands for
// the UTF-8 mailbox names and headers that RFC 9051 makes part of the base.
std::vector<std::string_view> rev2_requirements();

// The requirements missing from a CAPABILITY string (space-separated
// words, compared exactly). Empty: IMAP4rev2 may be offered.
std::vector<std::string_view> missing_rev2_requirements(std::string_view capabilities);

// Flags as a client in the given mode sees them: IMAP4rev2 has no \Recent
// (RFC 9051 Appendix E item 13), in FETCH, STORE and unsolicited FETCH.
constexpr uint32_t visible_flags(uint32_t flags, bool rev2) { return rev2 ? flags & ~uint32_t{kRecent} : flags; }

}  // namespace mail::imapd
