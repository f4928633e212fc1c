// SEARCH and UID SEARCH (RFC 3501 6.4.4): the parser builds the key tree,
// the library's mail::search() runs it over the selected mailbox, and the
// matches go out as "* SEARCH n n n" (UIDs for UID SEARCH), or with RETURN
// as one "* ESEARCH" line (RFC 4731), SAVE keeping them for "$" (RFC 5182).
// The command table marks SEARCH as using sequence numbers, so no untagged
// EXPUNGE is sent before the tagged OK of the non-UID form.
#include <algorithm>
#include <optional>
#include <string>

#include "imapd/commands/search_result.hpp"
#include "imapd/protocol/parse_error.hpp"

#include "imapd/protocol/search_program.hpp"
#include "imapd/session/modseq_view.hpp"
#include "imapd/session/session.hpp"
#include "search/search.hpp"

namespace mail::imapd {

Reply cmd_search(CommandContext& ctx) {
    Session& session = ctx.session;
    SearchProgram program;
    try {
        program = parse_search(ctx.args);
    } catch (const ParseError&) {
        if (asks_to_save(ctx.command)) session.set_saved_result({});  // RFC 5182 2.1
        throw;
    }
    ReturnOptions options;
    std::optional<ReturnOptions> returning;
    try {
        if (program.return_options) returning = options = parse_return_options(*program.return_options);
        // RFC 9051 6.4.4: IMAP4rev2 has no SEARCH response; no RETURN means ALL.
        else if (session.rev2()) returning = options = parse_return_options({});
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
    if (program.charset && !search_charset_supported(*program.charset))
        return Reply::no("[BADCHARSET (UTF-8 US-ASCII)] Unsupported charset " + *program.charset);
    Mailbox& mailbox = *session.mailbox();
    SearchOptions search_options;
    search_options.saved = options.save ? &previous : &session.saved_result();
    search_options.cache = &session.message_cache();  // header keys read its fields
    // RFC 7162 3.1.5: a MODSEQ key turns CONDSTORE on; the answer then ends
    // with the highest modseq of the messages found.
    ModseqFile* modseq = uses_modseq(program.root) ? &require_modseq(session) : nullptr;
    if (modseq) search_options.modseq = [modseq](Uid uid) { return modseq->modseq_of(uid); };
    std::vector<size_t> matches = search(mailbox, program.root, search_options);
    session.message_cache().flush();  // other sessions may use what we parsed
    const char* done = ctx.uid() ? "UID SEARCH completed" : "SEARCH completed";

    if (returning) {  // RFC 4731 ESEARCH
        std::vector<uint32_t> numbers;
        std::vector<Uid> uids;
        for (size_t index : matches) {
            uids.push_back(mailbox.at(index).uid);
            numbers.push_back(ctx.uid() ? uids.back() : static_cast<uint32_t>(index + 1));
        }
        if (options.save) session.set_saved_result(saved_uids(uids, options));
        if (options.esearch()) {
            std::string line = esearch_response(ctx.tag(), ctx.uid(), numbers, options);
            // RFC 7162 3.1.5: MODSEQ in ESEARCH too, the highest of the
            // messages returned (only MIN's and MAX's when only they are).
            if (modseq && !uids.empty()) {
                uint64_t highest = 0;
                bool every = options.all || options.count;
                for (Uid uid : every ? uids : saved_uids(uids, options))
                    highest = std::max(highest, modseq->modseq_of(uid));
                line += " MODSEQ " + std::to_string(highest);
            }
            session.untagged(line);
        }
        return Reply::ok(done);
    }

    std::string line = "* SEARCH";
    for (size_t index : matches) {
        line += ' ';
        line += std::to_string(ctx.uid() ? mailbox.at(index).uid : index + 1);
        if (line.size() >= 16 * 1024) {  // a long answer goes out in pieces
            session.write(line);
            line.clear();
        }
    }
    if (modseq && !matches.empty()) {
        uint64_t highest = 0;
        for (size_t index : matches) highest = std::max(highest, modseq->modseq_of(mailbox.at(index).uid));
        line += " (MODSEQ " + std::to_string(highest) + ")";
    }
    line += "\r\n";
    session.write(line);
    return Reply::ok(done);
}

}  // namespace mail::imapd
