#include "deliver.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "header_filter.hpp"
#include "util/error.hpp"

namespace mail::dmail {

namespace {

// Output kept back until the header has been read (for the From: sender),
// at most this much: a longer header is delivered with what was seen.
constexpr size_t kMaxHeldBytes = 256 * 1024;

bool is_inbox_name(const std::string& name) { return name.size() == 5 && ::strncasecmp(name.c_str(), "INBOX", 5) == 0; }

// mkdir -p: the folder root may not exist before the first folder is made.
void make_dirs(const std::string& path) {
    for (size_t end = path.find('/', 1);; end = path.find('/', end + 1)) {
        std::string part = path.substr(0, end);
        if (!part.empty() && ::mkdir(part.c_str(), 0700) < 0 && errno != EEXIST) return;  // create() says why
        if (end == std::string::npos) return;
    }
}

}  // namespace

std::string choose_folder(Store& store, const std::string& folder, const DeliveryOptions& options) {
    if (folder.empty() || is_inbox_name(folder)) return "INBOX";
    try {
        Store::Resolved r = store.resolve(folder);
        if (r.driver) return folder;
        make_dirs(store.location().root);
        store.create(folder);
        if (options.debug) options.debug("created folder " + folder + " (" + store.location().format + ")");
        return folder;
    } catch (const MailError& e) {
        if (options.warn) options.warn("cannot deliver to folder \"" + folder + "\" (" + e.what() + "): delivering to INBOX");
        return "INBOX";
    }
}

namespace {

// Opens a folder for delivery; a folder that is read-only fails as one that
// cannot be opened.
std::unique_ptr<Mailbox> open_for_delivery(Store& store, const std::string& name) {
    auto box = store.open(name, OpenMode::Deliver);
    if (box->read_only()) throw MailError(ErrorKind::Permission, "mailbox " + name + " is read-only");
    return box;
}

// A folder that exists but cannot be written is a mistake of ours, not the
// sender's: the message goes to INBOX with a warning, as Dovecot's LDA does,
// instead of a permanent failure that bounces it. Only a permission problem
// falls back: a full disk or a held lock fails the whole delivery (exit 75),
// and the MTA tries the folder again later.
bool falls_back_to_inbox(const MailError& e, const std::string& folder, const DeliveryOptions& options) {
    if (e.kind() != ErrorKind::Permission || is_inbox_name(folder)) return false;
    if (options.warn) options.warn("cannot deliver to folder \"" + folder + "\" (" + e.what() + "): delivering to INBOX");
    return true;
}

}  // namespace

DeliveryResult deliver(Store& store, const Args& args, int fd, const DeliveryOptions& options) {
    DeliveryResult result;
    result.folder = choose_folder(store, args.folder, options);
    std::unique_ptr<Mailbox> box;
    try {
        box = open_for_delivery(store, result.folder);
    } catch (const MailError& e) {
        if (!falls_back_to_inbox(e, result.folder, options)) throw;
        result.folder = "INBOX";
        box = open_for_delivery(store, result.folder);
    }

    HeaderFilter filter;
    std::string held;  // filtered output not yet written
    std::unique_ptr<AppendSink> sink;
    auto check_size = [&](uint64_t more) {
        result.bytes += more;
        if (options.max_message_size && result.bytes > options.max_message_size)
            throw MailError(ErrorKind::TooBig, "message larger than max_message_size (" +
                                                   std::to_string(options.max_message_size) + " bytes)");
    };
    auto start_sink = [&] {
        AppendRequest req;
        for (const auto& k : args.keywords) {
            if (is_valid_keyword(k))
                req.keywords.push_back(k);
            else if (options.warn)
                options.warn("keyword \"" + k + "\" left out: not a valid IMAP keyword");
        }
        req.envelope_from = choose_sender(args.from, filter.envelope_sender(), filter.from_field());
        if (options.debug) options.debug("envelope sender " + req.envelope_from);
        try {
            sink = box->append(req);
        } catch (const MailError& e) {
            // Nothing is written yet (the output so far is held), so the
            // message can still go to INBOX.
            if (!falls_back_to_inbox(e, result.folder, options)) throw;
            result.folder = "INBOX";
            box = open_for_delivery(store, result.folder);
            sink = box->append(req);
        }
    };
    auto flush = [&] {
        if (held.empty()) return;
        check_size(held.size());
        sink->write(held);
        held.clear();
    };

    std::string buf(64 * 1024, '\0');
    for (;;) {
        ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            throw MailError(ErrorKind::Io, std::string("cannot read the message: ") + std::strerror(errno));
        }
        if (n == 0) break;
        filter.feed(std::string_view(buf.data(), static_cast<size_t>(n)), held);
        if (!sink && (filter.header_done() || held.size() > kMaxHeldBytes)) start_sink();
        if (sink) flush();
    }
    filter.finish(held);
    if (!sink && held.empty()) throw MailError(ErrorKind::Invalid, "empty message: nothing delivered");
    if (!sink) start_sink();
    flush();
    result.uid = sink->commit();
    return result;
}

}  // namespace mail::dmail
