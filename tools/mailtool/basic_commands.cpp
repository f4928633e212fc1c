// The small subcommands the tests and administrators use to look into a
// mailbox and put a message into one:
//   mailtool ls [-f FORMAT] [-t] PATH   UIDVALIDITY, UIDNEXT, one line a message
//                                       (-t: the internal date, seconds, after the UID)
//   mailtool append [-f FORMAT] [-F "\\Seen kw"] [-d "dd-Mon-yyyy hh:mm:ss +zzzz"] PATH < message
//   mailtool cat [-f FORMAT] PATH UID   the stored message, as stored
#include <strings.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>

#include "mailbox/driver.hpp"
#include "message/date.hpp"
#include "tools/mailtool/mailbox_spec.hpp"
#include "tools/mailtool/subcommands.hpp"
#include "util/error.hpp"

namespace mail::tool {

namespace {

struct BasicArgs {
    std::string format, flags, path, extra, date;
    bool times = false;
};

bool parse(const Args& args, BasicArgs& a) {
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if ((arg == "-f" || arg == "-F" || arg == "-d") && i + 1 < args.size()) {
            (arg == "-f" ? a.format : arg == "-F" ? a.flags : a.date) = args[++i];
        } else if (arg == "-t") {
            a.times = true;
        } else if (!arg.empty() && arg[0] == '-') {
            return false;
        } else if (a.path.empty()) {
            a.path = arg;
        } else if (a.extra.empty()) {
            a.extra = arg;
        } else {
            return false;
        }
    }
    return !a.path.empty();
}

int usage(const char* line) {
    std::fprintf(stderr, "usage: mailtool %s\n", line);
    return kExitUsage;
}

Driver* existing_driver(const BasicArgs& a) {
    if (!a.format.empty()) return &driver_named(a.format);
    return &open_spec(a.path).driver();
}

}  // namespace

int run_ls(const Args& args) {
    BasicArgs a;
    if (!parse(args, a) || !a.extra.empty()) return usage("ls [-f FORMAT] [-t] PATH");
    auto box = existing_driver(a)->open(a.path, OpenMode::ReadOnly);
    std::printf("UIDVALIDITY %u\nUIDNEXT %u\n", box->uidvalidity(), box->uidnext());
    for (size_t i = 0; i < box->count(); ++i) {
        const MessageInfo& m = a.times ? box->dated(i) : box->at(i);  // maildir reads dates on demand
        std::string line = std::to_string(m.uid);
        if (a.times) line += " " + std::to_string(m.internal_date);
        std::string flags = flag_names(m.flags & kStorableFlags);
        if (!flags.empty()) line += " " + flags;
        for (size_t b = 0; b < box->keywords().size(); ++b)
            if (m.keywords & (KeywordMask{1} << b)) line += " " + box->keywords()[b];
        line += " " + std::to_string(m.size);
        std::printf("%s\n", line.c_str());
    }
    return 0;
}

int run_append(const Args& args) {
    BasicArgs a;
    if (!parse(args, a) || !a.extra.empty()) return usage("append [-f FORMAT] [-F FLAGS] [-d DATE] PATH < message");
    Driver* d = a.format.empty() ? driver_for_path(a.path) : &driver_named(a.format);
    if (!d) {  // a new mailbox in the default format
        d = driver_by_name("maildir");
        d->create(a.path);
    } else if (::access(a.path.c_str(), F_OK) != 0) {
        d->create(a.path);
    }
    AppendRequest req;
    std::istringstream words(a.flags);
    for (std::string w; words >> w;) {
        if (auto bit = flag_bit(w)) {
            req.flags |= *bit;
            continue;
        }
        if (w[0] == '\\') throw MailError(ErrorKind::Invalid, "unknown system flag: " + w);
        req.keywords.push_back(w);
    }
    if (!a.date.empty()) {
        auto when = parse_imap_datetime(a.date);
        if (!when) throw MailError(ErrorKind::Invalid, "bad internal date: " + a.date);
        req.internal_date = when->utc;
        req.zone_minutes = when->zone_minutes;
    }
    auto box = d->open(a.path, OpenMode::Deliver);  // a delivery: the message stays \Recent for the next session
    auto sink = box->append(req);
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(0, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw MailError(ErrorKind::Io, std::string("cannot read the message: ") + std::strerror(errno));
        }
        if (n == 0) break;
        sink->write(std::string_view(buf, static_cast<size_t>(n)));
    }
    std::printf("%u\n", sink->commit());
    return 0;
}

int run_cat(const Args& args) {
    BasicArgs a;
    if (!parse(args, a) || a.extra.empty()) return usage("cat [-f FORMAT] PATH UID");
    auto box = existing_driver(a)->open(a.path, OpenMode::ReadOnly);
    auto index = box->index_of(static_cast<Uid>(std::stoul(a.extra)));
    if (!index) throw MailError(ErrorKind::NotFound, "no message with UID " + a.extra);
    MessageContent content = box->content(*index);
    char buf[65536];
    for (uint64_t off = 0;;) {
        size_t n = content.read(off, buf, sizeof buf);
        if (n == 0) break;
        std::fwrite(buf, 1, n, stdout);
        off += n;
    }
    return 0;
}

}  // namespace mail::tool
