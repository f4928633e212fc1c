// RFC 5256 section 2.1: the "base subject" of a message, used by SORT
// SUBJECT and by both THREAD algorithms. Pure, no I/O.
#pragma once

#include <string>
#include <string_view>

namespace mail {

struct BaseSubject {
    std::string text;               // UTF-8, whitespace collapsed, not case-folded
    bool reply_or_forward = false;  // a "re:", "fwd:", "(fwd)" or "[fwd: ...]" was removed
    bool operator==(const BaseSubject&) const = default;
};

// The base subject of an unfolded Subject: field value (RFC 2047 encoded
// words are decoded first): trailing "(fwd)" and blanks, leading "re:",
// "fw:", "fwd:" (each optionally preceded by "[blob]"s), a leading "[blob]"
// that does not make up the whole subject, and an enclosing "[fwd: ...]"
// are removed, repeatedly, as steps (1)-(7) of the RFC say.
BaseSubject base_subject(std::string_view unfolded_subject);

// The same over text that is already UTF-8 (no RFC 2047 decoding).
BaseSubject base_subject_of_text(std::string_view utf8);

}  // namespace mail
