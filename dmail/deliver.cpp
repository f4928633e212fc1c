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

DeliveryResult deliver(Store& store, const Args& args, int fd, const DeliveryOptions& options) {
    DeliveryResult result;
    result.folder = choose_folder(store, args.folder, options);
    auto box = store.open(result.folder, OpenMode::Deliver);
    if (box->read_only()) throw MailError(ErrorKind::Permission, "mailbox " + result.folder + " is read-only");

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
        sink = box->append(req);
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
