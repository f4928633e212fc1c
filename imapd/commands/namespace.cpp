// NAMESPACE (RFC 2342): one personal namespace, "" with "/" as separator.
#include "imapd/session/session.hpp"

namespace mail::imapd {

Reply cmd_namespace(CommandContext& ctx) {
    ctx.args.end();
    ctx.session.untagged("NAMESPACE ((\"\" \"/\")) NIL NIL");
    return Reply::ok("NAMESPACE completed");
}

}  // namespace mail::imapd
