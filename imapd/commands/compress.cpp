// COMPRESS DEFLATE (RFC 4978): after the tagged OK, everything both ways
// is raw deflate (session/compress_transport.hpp), above TLS when TLS is on.
#include <strings.h>

#include "imapd/protocol/parse_error.hpp"
#include "imapd/session/compress_transport.hpp"
#include "imapd/session/session.hpp"

namespace mail::imapd {

Reply cmd_compress(CommandContext& ctx) {
    std::string mechanism = ctx.args.atom();
    ctx.args.end();
    if (strcasecmp(mechanism.c_str(), "DEFLATE") != 0)
        return Reply::bad("Unknown compression mechanism " + mechanism.substr(0, 40));
    if (ctx.session.transport_layered()) return Reply::no("[COMPRESSIONACTIVE] DEFLATE is already active");
    // What the client sent after COMPRESS is compressed already (or a
    // protocol error): it cannot be in the plaintext buffer.
    if (ctx.session.reader().has_buffered_input())
        return Reply::bad("COMPRESS must be the last command sent before compression starts");
    ctx.session.layer_transport_after_reply(std::make_unique<CompressTransport>(ctx.session.transport()));
    return Reply::ok("DEFLATE active");
}

}  // namespace mail::imapd
