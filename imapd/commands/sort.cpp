// SORT and UID SORT (RFC 5256; RFC 5957 DISPLAYFROM/DISPLAYTO; RFC 5267
// ESORT's RETURN; RFC 5182 SAVE): the search program picks the messages,
// their sort keys come from the session's SortKeyCache (each header read
// once per session), and the order goes out as "* SORT n n n" or as one
// "* ESEARCH" line.
#include <algorithm>
#include <string>

#include "imapd/commands/search_result.hpp"
#include "imapd/protocol/parse_error.hpp"
#include "imapd/protocol/sort_request.hpp"
#include "imapd/session/session.hpp"
#include "search/search.hpp"
#include "sort/sort.hpp"
#include "util/error.hpp"

namespace mail::imapd {

Reply cmd_sort(CommandContext& ctx) {
    Session& session = ctx.session;
    SortRequest request;
    ReturnOptions options;
    try {
        request = parse_sort(ctx.args);
        if (request.return_options) options = parse_return_options(*request.return_options);
    } catch (const ParseError&) {
        if (asks_to_save(ctx.command)) session.set_saved_result({});
        throw;
    }
    // RFC 5182 2.1: a SAVE that fails leaves "$" empty; a "$" in this
    // command's own keys still means the previous result.
    std::vector<Uid> previous;
    if (options.save) {
        previous = session.saved_result();
        session.set_saved_result({});
    }
    if (!search_charset_supported(request.charset))
        return Reply::no("[BADCHARSET (UTF-8 US-ASCII)] Unsupported charset " + request.charset);
    Mailbox& mailbox = *session.mailbox();
    SearchOptions search_options;
    search_options.saved = options.save ? &previous : &session.saved_result();
    search_options.cache = &session.message_cache();
    std::vector<size_t> matches = search(mailbox, request.keys, search_options);

    // Keys from the cache's header fields: no message read once it is warm.
    // Only the keys the criteria compare: SORT (DATE) reads the cached date alone.
    std::vector<const SortKeys*> keys =
        session.sort_keys().keys(mailbox, matches, &session.message_cache(), sort_key_parts(request.criteria));
    session.message_cache().flush();  // other sessions may use what we parsed
    std::vector<SortItem> items(matches.size());
    const bool arrival = std::any_of(request.criteria.begin(), request.criteria.end(),
                                     [](const mail::SortCriterion& c) { return c.key == mail::SortKey::Arrival; });
    for (size_t i = 0; i < matches.size(); ++i) {
        const mail::MessageInfo* info = &mailbox.at(matches[i]);
        if (arrival) try {  // the driver may read the date on demand (maildir)
                info = &mailbox.dated(matches[i]);
            } catch (const mail::MailError& e) {
                if (e.kind() != mail::ErrorKind::NotFound) throw;  // gone: sorts by what the index knows
            }
        items[i] = {matches[i], info, keys[i]};
    }
    std::vector<size_t> order = sort_messages(std::move(items), request.criteria);
    const char* done = ctx.uid() ? "UID SORT completed" : "SORT completed";

    if (request.return_options) {  // RFC 5267 ESORT
        std::vector<uint32_t> numbers;
        std::vector<Uid> uids;
        for (size_t index : order) {
            uids.push_back(mailbox.at(index).uid);
            numbers.push_back(ctx.uid() ? uids.back() : static_cast<uint32_t>(index + 1));
        }
        if (options.save) session.set_saved_result(saved_uids(uids, options, true));
        if (options.esearch()) session.untagged(esearch_response(ctx.tag(), ctx.uid(), numbers, options, true));
        return Reply::ok(done);
    }

    std::string line = "* SORT";
    for (size_t index : order) {
        line += ' ';
        line += std::to_string(ctx.uid() ? mailbox.at(index).uid : index + 1);
        if (line.size() >= 16 * 1024) {  // a long answer goes out in pieces
            session.write(line);
            line.clear();
        }
    }
    line += "\r\n";
    session.write(line);
    return Reply::ok(done);
}

}  // namespace mail::imapd
