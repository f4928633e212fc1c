// THREAD and UID THREAD (RFC 5256): ORDEREDSUBJECT or REFERENCES over the
// messages the search program picks, keys from the session's SortKeyCache,
// answered as "* THREAD (1 2 (3)(4))...".
#include <string>

#include "imapd/protocol/sort_request.hpp"
#include "imapd/session/session.hpp"
#include "search/search.hpp"
#include "thread/thread.hpp"

namespace mail::imapd {

Reply cmd_thread(CommandContext& ctx) {
    Session& session = ctx.session;
    ThreadRequest request = parse_thread(ctx.args);
    if (!search_charset_supported(request.charset))
        return Reply::no("[BADCHARSET (UTF-8 US-ASCII)] Unsupported charset " + request.charset);
    Mailbox& mailbox = *session.mailbox();
    SearchOptions search_options;
    search_options.saved = &session.saved_result();
    search_options.cache = &session.message_cache();
    std::vector<size_t> matches = search(mailbox, request.keys, search_options);

    std::vector<const SortKeys*> keys = session.sort_keys().keys(mailbox, matches, &session.message_cache(),
                                                                 kSortSent | kSortSubject | kSortThreadIds);
    session.message_cache().flush();  // other sessions may use what we parsed
    std::vector<ThreadItem> items(matches.size());
    for (size_t i = 0; i < matches.size(); ++i) {
        uint32_t number = ctx.uid() ? mailbox.at(matches[i]).uid : static_cast<uint32_t>(matches[i] + 1);
        items[i] = {number, keys[i]};
    }
    std::string threads = format_threads(thread_messages(request.algorithm, items));
    std::string line = "* THREAD";
    if (!threads.empty()) line += ' ';
    session.write(line);
    session.write(threads);
    session.write("\r\n");
    return Reply::ok(ctx.uid() ? "UID THREAD completed" : "THREAD completed");
}

}  // namespace mail::imapd
