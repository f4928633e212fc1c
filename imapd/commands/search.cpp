// SEARCH and UID SEARCH (RFC 3501 6.4.4): the parser builds the key tree,
// the library's mail::search() runs it over the selected mailbox, and the
// matches go out as "* SEARCH n n n" (UIDs for UID SEARCH). The command
// table marks SEARCH as using sequence numbers, so no untagged EXPUNGE is
// sent before the tagged OK of the non-UID form.
#include <string>

#include "imapd/protocol/search_program.hpp"
#include "imapd/session/session.hpp"
#include "search/search.hpp"

namespace mail::imapd {

Reply cmd_search(CommandContext& ctx) {
    SearchProgram program = parse_search(ctx.args);
    if (program.return_options)
        return Reply::bad("SEARCH RETURN (ESEARCH) is not supported");
    if (program.charset && !search_charset_supported(*program.charset))
        return Reply::no("[BADCHARSET (UTF-8 US-ASCII)] Unsupported charset " + *program.charset);
    Mailbox& mailbox = *ctx.session.mailbox();
    std::vector<size_t> matches = search(mailbox, program.root);

    std::string line = "* SEARCH";
    for (size_t index : matches) {
        line += ' ';
        line += std::to_string(ctx.uid() ? mailbox.at(index).uid : index + 1);
        if (line.size() >= 16 * 1024) {  // a long answer goes out in pieces
            ctx.session.write(line);
            line.clear();
        }
    }
    line += "\r\n";
    ctx.session.write(line);
    return Reply::ok(ctx.uid() ? "UID SEARCH completed" : "SEARCH completed");
}

}  // namespace mail::imapd
