// FETCH's data items (RFC 3501 6.4.5, RFC 3516 BINARY, RFC 7162 modifiers).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "imapd/protocol/arg_reader.hpp"

namespace mail::imapd {

// BODY[1.2.HEADER.FIELDS (FROM TO)]: a part path and what of it.
struct SectionSpec {
    enum class Text { All, Header, HeaderFields, HeaderFieldsNot, Text, Mime };
    std::vector<uint32_t> part;       // {1, 2} for "1.2"; empty for the whole message
    Text text = Text::All;
    std::vector<std::string> fields;  // upper case, for HEADER.FIELDS[.NOT]
    bool operator==(const SectionSpec&) const = default;
    std::string to_string() const;    // "1.2.HEADER.FIELDS (FROM TO)"
};

struct Partial {
    uint64_t offset = 0;
    uint64_t length = 0;
    bool operator==(const Partial&) const = default;
};

struct FetchItem {
    enum class Kind {
        Envelope, Flags, InternalDate, Rfc822, Rfc822Header, Rfc822Size, Rfc822Text,
        Body,           // BODY without a section: the structure without extensions
        BodyStructure, Uid, BodySection, BinarySection, BinarySize, ModSeq,
        EmailId, ThreadId,  // RFC 8474 OBJECTID
    };
    Kind kind = Kind::Flags;
    bool peek = false;  // BODY.PEEK / BINARY.PEEK: do not set \Seen
    SectionSpec section;
    std::optional<Partial> partial;
    bool operator==(const FetchItem&) const = default;

    // The item's name in the FETCH response: "BODY[HEADER]<0>", "RFC822.SIZE".
    std::string response_name() const;
    // True if fetching it sets \Seen (BODY[...] without PEEK, BINARY[...], RFC822, RFC822.TEXT).
    bool sets_seen() const;
};

struct FetchRequest {
    std::vector<FetchItem> items;          // macros expanded, in the client's order
    std::optional<uint64_t> changed_since; // CHANGEDSINCE (RFC 7162), for CONDSTORE later
    bool vanished = false;                 // VANISHED (RFC 7162), for QRESYNC later
};

// Parses the data items after "FETCH set SP": a macro, one item, or a list,
// then optional modifiers. Does not call args.end().
FetchRequest parse_fetch(ArgReader& args);

}  // namespace mail::imapd
