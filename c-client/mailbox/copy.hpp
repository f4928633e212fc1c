// Copying a message from one mailbox to another, as COPY, MOVE and the
// renaming of INBOX do it: flags (without \Recent), keywords by name,
// internal date and the stored bytes.
#pragma once

#include <cstddef>

#include "mailbox/mailbox.hpp"

namespace mail {

// An AppendRequest carrying the message's flags, keywords and internal date.
AppendRequest copy_request(Mailbox& from, size_t index);

// Streams the message's stored bytes into a sink (64 KB at a time).
void copy_content(Mailbox& from, size_t index, AppendSink& to);

}  // namespace mail
