#include "tools/mailtool/mailbox_spec.hpp"

#include <strings.h>

#include <cstring>

#include "config/location.hpp"
#include "util/error.hpp"

namespace mail::tool {

namespace {

const struct {
    uint32_t bit;
    const char* name;
} kFlagNames[] = {
    {kSeen, "\\Seen"}, {kAnswered, "\\Answered"}, {kFlagged, "\\Flagged"}, {kDeleted, "\\Deleted"}, {kDraft, "\\Draft"},
};

bool known_format(std::string_view f) { return f == "maildir" || f == "mbx" || f == "unix"; }

}  // namespace

Driver& driver_named(std::string_view format) {
    Driver* d = driver_by_name(format == "mbox" ? "unix" : format);
    if (!d) throw MailError(ErrorKind::Invalid, "unknown mailbox format: " + std::string(format));
    return *d;
}

Driver& MailboxSpec::driver() const {
    if (format.empty()) throw MailError(ErrorKind::Invalid, "no mailbox at " + path + " and no FORMAT: given");
    return driver_named(format);
}

MailboxSpec parse_mailbox_spec(std::string_view text) {
    MailboxSpec spec;
    size_t colon = text.find(':');
    if (colon != std::string_view::npos && text.find('/') > colon) {
        spec.format = std::string(text.substr(0, colon));
        if (spec.format == "mbox") spec.format = "unix";
        if (!known_format(spec.format)) throw MailError(ErrorKind::Invalid, "unknown mailbox format: " + spec.format);
        spec.path = std::string(text.substr(colon + 1));
    } else {
        spec.path = std::string(text);
        spec.format = detect_mailbox_format(spec.path);
        if (spec.format == "?") throw MailError(ErrorKind::Invalid, "not a mailbox in any known format: " + spec.path);
    }
    if (spec.path.empty()) throw MailError(ErrorKind::Invalid, "no path in " + std::string(text));
    return spec;
}

MailboxSpec open_spec(std::string_view text) {
    MailboxSpec spec = parse_mailbox_spec(text);
    if (spec.format.empty() || !spec.driver().recognizes(spec.path))
        throw MailError(ErrorKind::NotFound, "no " + (spec.format.empty() ? std::string("mailbox") : spec.format + " mailbox") +
                                                 " at " + spec.path);
    return spec;
}

std::string flag_names(uint32_t flags) {
    std::string out;
    for (const auto& f : kFlagNames)
        if (flags & f.bit) out += (out.empty() ? "" : " ") + std::string(f.name);
    return out;
}

std::optional<uint32_t> flag_bit(std::string_view name) {
    for (const auto& f : kFlagNames)
        if (name.size() == std::strlen(f.name) && strncasecmp(name.data(), f.name, name.size()) == 0) return f.bit;
    return std::nullopt;
}

}  // namespace mail::tool
