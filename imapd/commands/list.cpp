// LIST and LSUB (RFC 3501 6.3.8, 6.3.9) with the CHILDREN attributes
// (RFC 3348) and the basic RFC 5258 forms the parser accepts (several
// patterns, the SUBSCRIBED selection and return options).
#include <algorithm>
#include <map>

#include "imapd/commands/mailbox_util.hpp"
#include "imapd/protocol/mailbox_requests.hpp"
#include "imapd/session/session.hpp"
#include "mailbox/name.hpp"

namespace mail::imapd {

namespace {

constexpr uint32_t kSubscribedAttribute = 1u << 16;  // RFC 5258 \Subscribed, beside ListAttribute

bool has(const std::vector<std::string>& v, std::string_view word) {
    return std::find(v.begin(), v.end(), word) != v.end();
}

void send(Session& s, std::string_view response, const std::string& name, uint32_t attributes) {
    std::string line(response);
    line += " (";
    bool first = true;
    for (const std::string& a : attribute_names(attributes)) {
        if (!first) line += ' ';
        line += a;
        first = false;
    }
    if (attributes & kSubscribedAttribute) line += first ? "\\Subscribed" : " \\Subscribed";
    line += ") \"";
    line += kHierarchySeparator;
    line += "\" ";
    line += mailbox_astring(name);
    s.untagged(line);
}

// The empty pattern asks for the hierarchy delimiter and the root name.
void send_root(Session& s, std::string_view response) {
    std::string line(response);
    line += " (\\Noselect) \"";
    line += kHierarchySeparator;
    line += "\" \"\"";
    s.untagged(line);
}

}  // namespace

Reply cmd_list(CommandContext& ctx) {
    ListRequest req = parse_list(ctx.args);
    Session& s = ctx.session;
    Store& store = user_store(s);
    bool only_subscribed = has(req.selection, "SUBSCRIBED");
    bool mark_subscribed = only_subscribed || has(req.return_options, "SUBSCRIBED");
    std::vector<std::string> subscribed;
    if (mark_subscribed) subscribed = store.subscriptions();

    std::map<std::string, uint32_t> found;
    for (const std::string& pattern : req.patterns) {
        if (pattern.empty()) {
            if (req.patterns.size() == 1) send_root(s, "LIST");
            continue;
        }
        for (const ListEntry& e : store.list(req.reference, pattern)) found[e.name] |= e.attributes;
    }
    for (auto& [name, attributes] : found) {
        bool sub = mark_subscribed && has(subscribed, name);
        if (only_subscribed && !sub) continue;
        send(s, "LIST", name, attributes | (sub ? kSubscribedAttribute : 0));
    }
    return Reply::ok("List completed");
}

Reply cmd_lsub(CommandContext& ctx) {
    std::string reference = ctx.args.mailbox();
    ctx.args.sp();
    std::string pattern = ctx.args.list_mailbox();
    ctx.args.end();
    Session& s = ctx.session;
    Store& store = user_store(s);
    if (pattern.empty()) {
        send_root(s, "LSUB");
        return Reply::ok("Lsub completed");
    }
    std::string full = reference + pattern;
    std::vector<std::string> subscribed = store.subscriptions();
    std::map<std::string, uint32_t> found;
    for (const std::string& name : subscribed) {
        if (list_match(full, name)) {
            found[name] &= ~uint32_t{kNoselect};
            found.try_emplace(name, 0);
            continue;
        }
        // RFC 3501 6.3.9: a level that '%' matches above a subscribed
        // mailbox it hides is returned \Noselect when not itself subscribed.
        for (size_t slash = name.rfind(kHierarchySeparator); slash != std::string::npos && slash > 0;
             slash = name.rfind(kHierarchySeparator, slash - 1)) {
            std::string parent = name.substr(0, slash);
            if (list_match(full, parent) && !has(subscribed, parent)) found.try_emplace(parent, kNoselect);
        }
    }
    for (const auto& [name, attributes] : found) send(s, "LSUB", name, attributes);
    return Reply::ok("Lsub completed");
}

}  // namespace mail::imapd
