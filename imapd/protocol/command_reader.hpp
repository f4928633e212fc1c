// The incremental, I/O-free front of the protocol parser. Bytes go in with
// feed(); next() says what the session must do: read more input, send a
// continuation ("+ "), answer an error, run a complete command, or stream an
// APPEND message. Commands are held whole in memory (bounded by
// ParserLimits), except APPEND's message literals, which the session streams
// to the mailbox in pieces:
//
//   AppendMessage  header of one message (mailbox, flags, date, size):
//                  accept_message() (send "+ " if it returns true) or
//                  reject_message(); then message_bytes() until
//                  message_remaining() is 0
//   AppendMessage  the next one, for MULTIAPPEND (RFC 3502)
//   AppendDone     the command line ended: commit and answer
//
// Feeding one byte at a time or everything at once gives the same events.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "imapd/protocol/arg_reader.hpp"
#include "imapd/protocol/limits.hpp"

namespace mail::imapd {

struct Command {
    std::string tag;
    std::string name;      // upper case, without the UID prefix: "FETCH"
    bool uid = false;      // sent as "UID FETCH ..."
    std::string text;      // the whole command as received, literals inline
    size_t args_pos = 0;   // where the arguments start in text

    ArgReader args(const ParserLimits& limits = {}) const { return ArgReader(text, args_pos, limits); }
};

// One message of an APPEND command, before its bytes.
struct AppendMessage {
    std::string tag;
    std::string mailbox;
    FlagList flags;
    std::optional<DateTime> date;
    uint64_t size = 0;
    bool synchronizing = true;  // the client waits for "+ " before sending it
    bool first = true;          // the first message of this command
    bool utf8 = false;          // sent as "UTF8 (~{n})" (RFC 6855 4)
    bool binary = false;        // sent as a literal8 "~{n}" (RFC 3516)
};

class CommandReader {
public:
    enum class Event { NeedInput, Continuation, Command, Error, AppendMessage, AppendDone };

    explicit CommandReader(const ParserLimits& limits = {});

    void feed(std::string_view bytes);
    Event next();

    // After Event::Command.
    const Command& command() const { return command_; }
    // After Event::Error: the tag ("*" when none could be read), the
    // response ("BAD" or "NO") and its text.
    const std::string& error_tag() const { return error_tag_; }
    const std::string& error_status() const { return error_status_; }
    const std::string& error_text() const { return error_text_; }
    // After Event::AppendMessage and Event::AppendDone.
    const AppendMessage& append() const { return append_; }

    // Takes the announced message; returns true if a "+ " continuation must
    // be sent first.
    bool accept_message();
    // Refuses it: a non-synchronising literal and the rest of the command
    // are discarded as they arrive.
    void reject_message();
    // The next buffered bytes of the accepted message (empty: more input is
    // needed, or the message is complete).
    std::string_view message_bytes();
    uint64_t message_remaining() const { return state_ == State::Message ? remaining_ : 0; }
    // Gives up an accepted message half way: the rest of it and of the
    // command are discarded.
    void skip_message();

    // A raw line without its line end, for IDLE's "DONE" and AUTHENTICATE.
    std::optional<std::string> take_line();
    bool has_buffered_input() const { return pos_ < buf_.size(); }

private:
    enum class State { Line, Literal, AppendPending, Message, Discard, SkipLine };

    struct LiteralMarker {
        size_t at = 0;  // offset of "{" in the segment's command text
        uint64_t size = 0;
        bool synchronizing = true;
    };

    Event on_segment(size_t segment_start);
    Event on_literal(const LiteralMarker& m);
    Event on_append_part(const LiteralMarker* m, size_t part_start);
    Event finish_command();
    Event fail(std::string status, std::string text, State then, uint64_t discard = 0);
    void reset_command();
    void compact();
    static std::optional<LiteralMarker> find_marker(std::string_view segment_text, size_t base);

    ParserLimits limits_;
    std::string buf_;
    size_t pos_ = 0;
    State state_ = State::Line;
    uint64_t remaining_ = 0;     // literal, message or discard bytes left
    std::string cmd_;            // the command so far
    size_t line_bytes_ = 0;      // cmd_ bytes that are not literal data
    std::string skip_tail_;      // the end of a line being skipped

    bool in_append_ = false;     // past an APPEND's mailbox name

    Command command_;
    AppendMessage append_;
    std::string error_tag_, error_status_, error_text_;
};

}  // namespace mail::imapd
