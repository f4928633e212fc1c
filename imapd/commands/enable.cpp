// ENABLE (RFC 5161): turns on the extensions the session knows how to
// enable; the others are ignored, as the RFC asks.
#include <strings.h>

#include "imapd/session/session.hpp"

namespace mail::imapd {

Reply cmd_enable(CommandContext& ctx) {
    auto& args = ctx.args;
    std::vector<std::string> names;
    do {
        args.count_item();
        names.push_back(args.atom());
    } while (args.try_sp());
    args.end();
    std::string enabled = "ENABLED";
    for (const std::string& name : names) {
        for (const std::string& known : ctx.session.enableable) {
            if (strcasecmp(known.c_str(), name.c_str()) != 0 || ctx.session.enabled(known)) continue;
            ctx.session.enable(known);
            enabled += ' ' + known;
        }
    }
    ctx.session.untagged(enabled);
    return Reply::ok("ENABLE completed");
}

}  // namespace mail::imapd
