// How mailtool names one mailbox on its command line: FORMAT:PATH, or a
// bare PATH whose format is recognised as imapd recognises $MAIL
// (config/location.hpp detect_mailbox_format). Also the flag names shared
// by the subcommands that print or take flags.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mailbox/driver.hpp"

namespace mail::tool {

struct MailboxSpec {
    std::string format;  // "maildir", "mbx", "unix"; "" when nothing is there yet
    std::string path;

    Driver& driver() const;  // MailError(Invalid) when format is empty
};

// Splits FORMAT:PATH (FORMAT one of maildir, mbx, unix or Dovecot's mbox);
// a bare path gets the format of what is there ("" if nothing is). Pure
// but for that look at the path. Throws MailError(Invalid) on an unknown
// format or a path that is there but in no known format.
MailboxSpec parse_mailbox_spec(std::string_view text);
// parse_mailbox_spec for a mailbox that must exist (MailError(NotFound)).
MailboxSpec open_spec(std::string_view text);

Driver& driver_named(std::string_view format);  // MailError(Invalid) if unknown

// "\Seen \Answered ..." for SystemFlag bits, in that order.
std::string flag_names(uint32_t flags);
// The bit of a storable system flag name (any case), if it is one.
std::optional<uint32_t> flag_bit(std::string_view name);

}  // namespace mail::tool
