// The bytes of an mbx file as UW imap-2007f writes them (src/osdep/unix/mbx.c).
// Pure functions, no I/O, so that they can be unit-tested and fuzzed.
//
// File header, HDRSIZE = 2048 bytes:
//   "*mbx*\r\n" UIDVALIDITY(8 hex) LASTUID(8 hex) "\r\n"
//   30 keyword lines (NUSERFLAGS), each "name\r\n", unused ones empty "\r\n";
//   NUL padding; the last 10 bytes "PPPPPPPP\r\n" hold the PID of the last
//   process that updated flags (absent, NULs, in a freshly created file).
// Each message: a line, then the message with CRLF line ends:
//   "dd-Mmm-yyyy hh:mm:ss +zzzz,SIZE;KKKKKKKKFFFF-UUUUUUUU\r\n"
//   (the day space-padded as mail_date() writes it), SIZE decimal bytes of
//   message, KKKKKKKK the keyword bits, FFFF the flag bits below, UUUUUUUU
//   the UID (0: not yet assigned). The last 21 bytes before CRLF are
//   rewritten in place when flags change.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailbox/types.hpp"

namespace mail::mbx {

constexpr size_t kHeaderSize = 2048;    // HDRSIZE
constexpr size_t kMaxKeywords = 30;     // NUSERFLAGS
constexpr size_t kMaxKeywordLength = 64;  // MAXUSERFLAG
constexpr size_t kUidLastOffset = 15;   // where mbx_append rewrites UIDLAST
constexpr size_t kStatusLength = 21;    // "KKKKKKKKFFFF-UUUUUUUU"
constexpr size_t kStatusFromLineEnd = 23;  // status starts this far before the line's end
constexpr size_t kMaxLineLength = 64;   // mbx_parse reads 64 bytes for a line

// UW's flag bits (mail.h fSEEN... and mbx.c fEXPUNGED).
enum UwFlag : uint32_t {
    fSEEN = 1,
    fDELETED = 2,
    fFLAGGED = 4,
    fANSWERED = 8,
    fOLD = 16,  // some session has seen it: no longer \Recent
    fDRAFT = 32,
    fEXPUNGED = 0x8000,  // a hole: expunged while others had the file open
};

struct Header {
    Uid uidvalidity = 0;
    Uid last_uid = 0;
    std::vector<std::string> keywords;  // in bit order; "" for an unusable slot
    uint32_t last_pid = 0;              // 0 when the field is absent
};

// True when the bytes start like an mbx file (the check mbx_isvalid makes).
bool looks_like_mbx(std::string_view first_bytes);
// Parses the 2048-byte header; nothing when it is not an mbx header.
std::optional<Header> parse_header(std::string_view bytes);
// The header as mbx_update_header writes it (with the PID field).
std::string format_header(const Header& h);
// The header of a new file as mbx_create writes it (no PID field).
std::string format_new_header(Uid uidvalidity);

struct MessageLine {
    int64_t internal_date = 0;
    int32_t zone_minutes = 0;
    uint64_t size = 0;
    uint32_t keywords = 0;
    uint32_t flags = 0;  // UwFlag bits
    Uid uid = 0;
    size_t length = 0;   // of the line, CRLF included
};

enum class LineStatus { Ok, Incomplete, Malformed };

// Parses the line at the start of bytes (at most kMaxLineLength of them
// are looked at). Incomplete: no CRLF yet (a cut-off tail).
LineStatus parse_message_line(std::string_view bytes, MessageLine& out);
std::string format_message_line(const MessageLine& line);
// The 21 status bytes "KKKKKKKKFFFF-UUUUUUUU".
std::string format_status(uint32_t keywords, uint32_t flags, Uid uid);
// Parses the 14 bytes ";KKKKKKKKFFFF-" that mbx_read_flags reads.
bool parse_status(std::string_view bytes, uint32_t& keywords, uint32_t& flags);

// Parses the 24 bytes ";KKKKKKKKFFFF-UUUUUUUU\r\n" that end a message line.
bool parse_full_status(std::string_view bytes, uint32_t& keywords, uint32_t& flags, Uid& uid);

// Conversions between UW flag bits and SystemFlag bits.
uint32_t system_flags_from_uw(uint32_t uw);
uint32_t uw_from_system_flags(uint32_t flags);

}  // namespace mail::mbx
