// APPEND of a literal8 (RFC 3516 4.2): a part with Content-Transfer-Encoding
// "binary" may hold any octets (NUL, bare CR or LF), which the mailbox
// formats, storing lines of text, do not keep as they are (mbx and unix
// rewrite the line ends). As Dovecot does, each such part that is neither a
// multipart nor an embedded message is stored base64-encoded instead, with
// its Content-Transfer-Encoding field saying so: BINARY[part] then gives back
// exactly the octets the client sent, in every format.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "mailbox/mailbox.hpp"

namespace mail {

// An AppendSink that keeps the message in an unnamed temporary file while it
// is written (memory stays bounded), and at commit() writes it to `inner`
// with the binary parts converted, then commits `inner`.
std::unique_ptr<AppendSink> binary_converting_sink(std::unique_ptr<AppendSink> inner);

// The same conversion of a message held in memory (for tests and small use).
std::string convert_binary_parts(std::string_view message);

}  // namespace mail
