// Copying one mailbox into another keeping what the target can hold (flags,
// keywords, internal dates, UIDs, UIDVALIDITY, UIDNEXT), continuing a copy
// that was interrupted, and the digests that verify a copy.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mailbox/driver.hpp"

namespace mail::tool {

// What a copy must preserve of one message. The content hash is SHA-256
// over the bytes with LF line ends, one '>' taken off ">From " lines and a
// final line end, so that the same message stored in mbx (CRLF), unix
// (From-quoted) and maildir has one hash.
struct MessageDigest {
    Uid uid = 0;
    uint32_t flags = 0;                 // storable flags
    std::vector<std::string> keywords;  // names, sorted
    int64_t internal_date = 0;
    std::string content_sha256;         // hex
    uint64_t content_bytes = 0;         // as stored
};

// Feeds the normalised bytes of a message to a hash; pure, any chunks.
class ContentNormalizer {
public:
    template <typename Out>
    void feed(std::string_view in, Out&& out);
    template <typename Out>
    void finish(Out&& out);

private:
    template <typename Out>
    void put(char c, Out& out);

    std::string head_;     // a line's start while it may be ">*From "
    bool at_start_ = true;  // at the start of a line, head_ undecided
    bool pending_cr_ = false;
    char last_ = '\n';
};
// The normalised form of a whole message (for tests and small inputs).
std::string normalize_content(std::string_view message);

MessageDigest digest_message(Mailbox& box, size_t index);
std::vector<MessageDigest> digest_mailbox(Mailbox& box);
// The first difference between a copy and what it should hold, "" if none.
// keep_uid: the UIDs must match too.
std::string digest_difference(const MessageDigest& want, const MessageDigest& got, bool keep_uid);

// One message to copy: from which open mailbox, and whether its UID is kept
// (messages of the source; not those moved in from a spool).
struct CopySource {
    Mailbox* box = nullptr;
    size_t index = 0;
    bool keep_uid = true;
};
std::vector<CopySource> all_messages(Mailbox& box, bool keep_uid);

struct CopyCounts {
    size_t messages = 0;  // appended now
    uint64_t bytes = 0;
};

// Appends sources[from...] to target, in order, keeping UIDs where asked.
// sync_each: sync the target after each append, for drivers that would
// otherwise read their whole unread tail at every append (unix). Calls
// progress after each message when given.
CopyCounts append_messages(const std::vector<CopySource>& sources, size_t from, Mailbox& target, bool sync_each,
                           void (*progress)(size_t done) = nullptr);

// The UID numbering a copy of box starts with.
UidBase uid_base_of(const Mailbox& box);

// How a target compares with the digests it should hold.
enum class TargetState { Complete, Prefix, Different };
TargetState compare_target(const std::vector<MessageDigest>& want, const std::vector<bool>& keep_uid,
                           const std::vector<MessageDigest>& got, std::string* why);

}  // namespace mail::tool
