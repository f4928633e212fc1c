// AUTHENTICATE (RFC 3501 6.2.2) with the PLAIN (RFC 4616) and LOGIN
// mechanisms, and the initial response on the command line (SASL-IR,
// RFC 4959). Each client response is one base64 line; "*" cancels.
#include <optional>
#include <strings.h>

#include "imapd/auth/login_service.hpp"
#include "imapd/auth/sasl.hpp"
#include "imapd/session/session.hpp"

namespace mail::imapd {

namespace {

// Longest response line accepted: PLAIN with a 256-byte user and a
// 1024-byte password fits many times over.
constexpr size_t kMaxResponse = 8192;

struct Response {
    std::optional<std::string> data;  // decoded; nullopt: cancelled or bad
    Reply error;                      // why, when data is empty
};

// Sends a continuation with the base64 challenge and reads the answer line.
Response exchange(Session& s, std::string_view challenge) {
    s.continuation(sasl_base64_encode(challenge));
    for (;;) {
        if (auto line = s.reader().take_line()) {
            if (*line == "*") return {std::nullopt, Reply::bad("AUTHENTICATE cancelled")};
            if (line->size() > kMaxResponse)
                return {std::nullopt, Reply::bad("AUTHENTICATE response too long")};
            auto decoded = sasl_base64_decode(*line);
            if (!decoded) return {std::nullopt, Reply::bad("Invalid base64 in AUTHENTICATE response")};
            return {std::move(decoded), {}};
        }
        if (!s.read_some()) return {std::nullopt, Reply::bad("Connection closed")};
    }
}

}  // namespace

Reply cmd_authenticate(CommandContext& ctx) {
    std::string mechanism = ctx.args.atom();
    std::optional<std::string> initial;
    if (ctx.args.try_sp()) {
        std::string ir = ctx.args.atom();  // base64 chars and "=" are atom chars
        auto decoded = sasl_base64_decode(ir);
        if (!decoded) return Reply::bad("Invalid base64 in the initial response");
        initial = std::move(decoded);
    }
    ctx.args.end();
    Session& s = ctx.session;
    LoginService* login = s.options().login;
    if (!login) return Reply::no("[UNAVAILABLE] AUTHENTICATE is not available in this session");
    if (!login->plaintext_allowed())
        return Reply::no("[PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure "
                         "(TLS) connections.");

    if (strcasecmp(mechanism.c_str(), "PLAIN") == 0) {
        if (!initial) {
            Response r = exchange(s, "");
            if (!r.data) return r.error;
            initial = std::move(r.data);
        }
        auto creds = parse_sasl_plain(*initial);
        if (!creds) return Reply::bad("Malformed PLAIN response");
        if (!creds->authzid.empty() && creds->authzid != creds->authcid)
            return Reply::no("[AUTHORIZATIONFAILED] Acting as another user is not supported");
        return login->login(s, creds->authcid, creds->password, "PLAIN");
    }
    if (strcasecmp(mechanism.c_str(), "LOGIN") == 0) {
        std::string user;
        if (initial) {
            user = std::move(*initial);
        } else {
            Response r = exchange(s, "Username:");
            if (!r.data) return r.error;
            user = std::move(*r.data);
        }
        Response p = exchange(s, "Password:");
        if (!p.data) return p.error;
        return login->login(s, user, *p.data, "LOGIN");
    }
    return Reply::no("Unsupported authentication mechanism");
}

}  // namespace mail::imapd
