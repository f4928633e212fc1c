// mailtool: a first small version with the subcommands the tests use.
//   mailtool ls [-f FORMAT] PATH
//   mailtool append [-f FORMAT] [-F "\\Seen kw"] [-d "dd-Mon-yyyy hh:mm:ss +zzzz"] PATH < message
//   mailtool cat [-f FORMAT] PATH UID      the stored message, as stored
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "mailbox/driver.hpp"
#include "message/date.hpp"
#include "util/error.hpp"

namespace {

int usage() {
    std::fprintf(stderr,
                 "usage: mailtool ls [-f FORMAT] PATH\n"
                 "       mailtool append [-f FORMAT] [-F FLAGS] [-d DATE] PATH < message\n"
                 "       mailtool cat [-f FORMAT] PATH UID\n");
    return 64;  // EX_USAGE
}

struct Args {
    std::string format, flags, path, extra, date;
};

bool parse_args(int argc, char** argv, Args& a) {
    for (int i = 2; i < argc; ++i) {
        std::string arg = argv[i];
        if ((arg == "-f" || arg == "-F") && i + 1 < argc) {
            (arg == "-f" ? a.format : a.flags) = argv[++i];
        } else if (arg == "-d" && i + 1 < argc) {
            a.date = argv[++i];
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

mail::Driver* pick_driver(const Args& a) {
    if (!a.format.empty()) {
        mail::Driver* d = mail::driver_by_name(a.format);
        if (!d) throw mail::MailError(mail::ErrorKind::Invalid, "unknown mailbox format: " + a.format);
        return d;
    }
    mail::Driver* d = mail::driver_for_path(a.path);
    if (!d) throw mail::MailError(mail::ErrorKind::NotFound, "not a mailbox in any known format: " + a.path);
    return d;
}

const struct {
    uint32_t bit;
    const char* name;
} kFlagNames[] = {
    {mail::kSeen, "\\Seen"},         {mail::kAnswered, "\\Answered"}, {mail::kFlagged, "\\Flagged"},
    {mail::kDeleted, "\\Deleted"},   {mail::kDraft, "\\Draft"},       {mail::kRecent, "\\Recent"},
};

int list(const Args& a) {
    auto box = pick_driver(a)->open(a.path, mail::OpenMode::ReadOnly);
    std::printf("UIDVALIDITY %u\nUIDNEXT %u\n", box->uidvalidity(), box->uidnext());
    for (const mail::MessageInfo& m : box->messages()) {
        std::string line = std::to_string(m.uid);
        for (const auto& f : kFlagNames)
            if ((m.flags & f.bit) && f.bit != mail::kRecent) line += std::string(" ") + f.name;
        for (size_t b = 0; b < box->keywords().size(); ++b)
            if (m.keywords & (mail::KeywordMask{1} << b)) line += " " + box->keywords()[b];
        line += " " + std::to_string(m.size);
        std::printf("%s\n", line.c_str());
    }
    return 0;
}

int append(const Args& a) {
    mail::Driver* d = a.format.empty() ? mail::driver_for_path(a.path) : pick_driver(a);
    if (!d) {  // a new mailbox in the given (or default) format
        d = mail::driver_by_name("maildir");
        d->create(a.path);
    } else if (::access(a.path.c_str(), F_OK) != 0) {
        d->create(a.path);
    }
    mail::AppendRequest req;
    std::istringstream words(a.flags);
    for (std::string w; words >> w;) {
        bool known = false;
        for (const auto& f : kFlagNames)
            if (strcasecmp(w.c_str(), f.name) == 0 && f.bit != mail::kRecent) {
                req.flags |= f.bit;
                known = true;
            }
        if (known) continue;
        if (w[0] == '\\') throw mail::MailError(mail::ErrorKind::Invalid, "unknown system flag: " + w);
        req.keywords.push_back(w);
    }
    if (!a.date.empty()) {
        auto when = mail::parse_imap_datetime(a.date);
        if (!when) throw mail::MailError(mail::ErrorKind::Invalid, "bad internal date: " + a.date);
        req.internal_date = when->utc;
        req.zone_minutes = when->zone_minutes;
    }
    auto box = d->open(a.path, mail::OpenMode::ReadWrite);
    auto sink = box->append(req);
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(0, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw mail::MailError(mail::ErrorKind::Io, std::string("cannot read the message: ") + std::strerror(errno));
        }
        if (n == 0) break;
        sink->write(std::string_view(buf, static_cast<size_t>(n)));
    }
    std::printf("%u\n", sink->commit());
    return 0;
}

int cat(const Args& a) {
    auto box = pick_driver(a)->open(a.path, mail::OpenMode::ReadOnly);
    auto index = box->index_of(static_cast<mail::Uid>(std::stoul(a.extra)));
    if (!index) throw mail::MailError(mail::ErrorKind::NotFound, "no message with UID " + a.extra);
    mail::MessageContent content = box->content(*index);
    char buf[65536];
    for (uint64_t off = 0;;) {
        size_t n = content.read(off, buf, sizeof buf);
        if (n == 0) break;
        std::fwrite(buf, 1, n, stdout);
        off += n;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return usage();
    std::string cmd = argv[1];
    Args a;
    if (!parse_args(argc, argv, a)) return usage();
    try {
        if (cmd == "ls") return a.extra.empty() ? list(a) : usage();
        if (cmd == "append") return a.extra.empty() ? append(a) : usage();
        if (cmd == "cat") return a.extra.empty() ? usage() : cat(a);
        return usage();
    } catch (const mail::MailError& e) {
        std::fprintf(stderr, "mailtool: %s\n", e.what());
        return e.kind() == mail::ErrorKind::Busy ? 75 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mailtool: %s\n", e.what());
        return 1;
    }
}
