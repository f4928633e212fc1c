// One message's FETCH response: "* n FETCH (...)" with the plan's items.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "cache/message_cache.hpp"
#include "imapd/commands/fetch_plan.hpp"
#include "mailbox/mailbox.hpp"

namespace mail::imapd {

class Session;

// Reads what the plan needs of a message (through the session's
// MessageCache), sets \Seen when the plan asks for it, and writes the
// response. Everything that can fail is done before the first byte of the
// response is written, so that a failure never leaves half a response.
class MessageFetcher {
public:
    MessageFetcher(Session& session, Mailbox& mailbox, const FetchPlan& plan);

    // False, with nothing written, when another program removed the message
    // since the last sync. Throws MailError for other failures.
    bool fetch(size_t index);

private:
    void prepare(size_t index);
    void load_content(size_t index);
    void load_structure(size_t index);
    void load_cached_fields(size_t index);
    void write_item(const FetchItem& item, const MessageInfo& info);
    void write_flags(const MessageInfo& info);

    Session& session_;
    Mailbox& mailbox_;
    const FetchPlan& plan_;
    MessageCache& cache_;
    // The current message's data.
    std::optional<MessageContent> content_;
    std::shared_ptr<const MimePart> structure_;
    std::string envelope_;
    std::string body_, bodystructure_;  // BODY and BODYSTRUCTURE values
    bool seen_now_ = false;  // this fetch set \Seen: FLAGS is sent
    std::string mailbox_id_;  // the selected mailbox's MAILBOXID, once EMAILID needs it
};

// The header of a message (up to and including the blank line), read in
// chunks and bounded to max_bytes: what ENVELOPE is made from.
std::string read_header(const MessageContent& content, size_t max_bytes);

constexpr size_t kMaxEnvelopeHeader = 1 << 20;

}  // namespace mail::imapd
