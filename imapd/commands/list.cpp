// LIST (RFC 3501 6.3.8) with LIST-EXTENDED (RFC 5258), LIST-STATUS
// (RFC 5819) and SPECIAL-USE (RFC 6154); LSUB (RFC 3501 6.3.9).
// A plain LIST (RFC 3501 syntax) always gets children and special-use
// attributes. With any RFC 5258 syntax (selection options, a pattern list,
// RETURN) they are sent only when asked for (RETURN (CHILDREN), RETURN
// (SPECIAL-USE), the SPECIAL-USE selection), and a maildir's implied
// parent levels are \NonExistent rather than \Noselect; Dovecot answers so.
#include <algorithm>
#include <map>
#include <set>

#include "imapd/commands/mailbox_util.hpp"
#include "imapd/commands/status.hpp"
#include "imapd/protocol/list_request.hpp"
#include "imapd/session/mailbox_names.hpp"
#include "imapd/session/session.hpp"
#include "mailbox/name.hpp"
#include "mailbox/special_use.hpp"
#include "util/error.hpp"

namespace mail::imapd {

namespace {

struct ListLine {
    uint32_t attributes = 0;  // ListAttribute bits (kNoselect, kHasChildren...)
    bool nonexistent = false;
    bool subscribed = false;
    bool childinfo_subscribed = false;  // RFC 5258 CHILDINFO ("SUBSCRIBED")
    std::vector<std::string> special_use;
};

bool has(const std::vector<std::string>& v, std::string_view word) {
    return std::find(v.begin(), v.end(), word) != v.end();
}

std::string list_text(const Session& s, std::string_view response, const std::string& name, const ListLine& l) {
    std::vector<std::string> words;
    if (l.nonexistent) words.push_back("\\NonExistent");
    for (std::string& a : attribute_names(l.attributes)) {
        if (l.nonexistent && a == "\\Noselect") continue;  // \NonExistent implies it
        words.push_back(std::move(a));
    }
    if (l.subscribed) words.push_back("\\Subscribed");
    for (const std::string& u : l.special_use) words.push_back(u);
    std::string line(response);
    line += " (";
    for (size_t i = 0; i < words.size(); ++i) {
        if (i) line += ' ';
        line += words[i];
    }
    line += ") \"";
    line += kHierarchySeparator;
    line += "\" ";
    line += name_astring_to_client(s, name);
    if (l.childinfo_subscribed) line += " (\"CHILDINFO\" (\"SUBSCRIBED\"))";
    return line;
}

// The empty pattern asks for the hierarchy delimiter and the root name.
void send_root(Session& s, std::string_view response) {
    std::string line(response);
    line += " (\\Noselect) \"";
    line += kHierarchySeparator;
    line += "\" \"\"";
    s.untagged(line);
}

// Patterns are matched against names as the client sees them (UTF-8 after
// ENABLE UTF8=ACCEPT), so that a wildcard inside a non-ASCII run matches.
bool matches_any(const Session& s, const std::vector<std::string>& full_patterns, const std::string& name) {
    std::string wire = name_to_client(s, name);
    return std::any_of(full_patterns.begin(), full_patterns.end(),
                       [&](const std::string& p) { return list_match(p, wire); });
}

std::string parent_of(const std::string& name) {
    size_t slash = name.rfind(kHierarchySeparator);
    return slash == std::string::npos ? std::string() : name.substr(0, slash);
}

}  // namespace

Reply cmd_list(CommandContext& ctx) {
    ListExtendedRequest req = parse_list_request(ctx.args);
    Session& s = ctx.session;
    check_status_items(s, req.status_items);
    Store& store = user_store(s);

    std::vector<std::string> patterns;  // reference + pattern, the non-empty ones
    for (const std::string& p : req.patterns)
        if (!p.empty()) patterns.push_back(pattern_from_client(s, req.reference + p));
    if (patterns.empty()) {
        send_root(s, "LIST");
        return Reply::ok("List completed");
    }

    bool select_subscribed = req.selection & kSelectSubscribed;
    bool select_special = req.selection & kSelectSpecialUse;
    bool recursive = req.selection & kSelectRecursiveMatch;
    bool show_special = !req.extended || select_special || (req.returns & kReturnSpecialUse);
    bool show_children = !req.extended || (req.returns & kReturnChildren);
    // Maildir++ has no directories for levels: a \Noselect one is implied.
    bool implied_levels = store.location().format == "maildir";
    bool want_subscriptions = select_subscribed || (req.returns & kReturnSubscribed);

    std::map<std::string, uint32_t> existing;  // every mailbox and level: attributes
    for (const ListEntry& e : store.list("", "*")) existing[e.name] = e.attributes;
    std::vector<std::string> subscribed;
    if (want_subscriptions) subscribed = store.subscriptions();
    SpecialUseMap uses = effective_special_use(store);

    // What matches the selection options (before the patterns).
    std::set<std::string> selected;
    if (select_subscribed) {
        selected.insert(subscribed.begin(), subscribed.end());
        if (select_special)  // both: mailboxes that are both
            std::erase_if(selected, [&](const std::string& n) { return !uses.count(n) || !existing.count(n); });
    } else if (select_special) {
        for (const auto& [name, attributes] : uses)
            if (existing.count(name) && !(existing[name] & kNoselect)) selected.insert(name);
    } else {
        for (const auto& [name, attributes] : existing) selected.insert(name);
    }

    std::map<std::string, ListLine> lines;
    auto line_for = [&](const std::string& name) -> ListLine& {
        auto [it, inserted] = lines.try_emplace(name);
        if (inserted) {
            auto e = existing.find(name);
            if (e != existing.end()) {
                it->second.attributes = e->second;
            } else {  // subscribed only; it may still have children (Dovecot says so too)
                it->second.nonexistent = true;
                auto next = existing.upper_bound(name);
                bool children = next != existing.end() && next->first.rfind(name + "/", 0) == 0;
                it->second.attributes = kNoselect | (children ? kHasChildren : kHasNoChildren);
            }
        }
        return it->second;
    };
    for (const std::string& name : selected)
        if (matches_any(s, patterns, name)) line_for(name);
    // RECURSIVEMATCH: parents matching a pattern, with a selected descendant
    // that the patterns do not list itself (RFC 5258 3.5, and Dovecot: with
    // "*" no parent is added); only SUBSCRIBED has a CHILDINFO tag for it.
    if (recursive) {
        for (const std::string& name : selected) {
            if (matches_any(s, patterns, name)) continue;
            for (std::string p = parent_of(name); !p.empty(); p = parent_of(p)) {
                if (!matches_any(s, patterns, p)) continue;
                ListLine& l = line_for(p);
                if (select_subscribed) l.childinfo_subscribed = true;
            }
        }
    }

    for (auto& [name, l] : lines) {
        if (want_subscriptions) l.subscribed = has(subscribed, name);
        // IMAP4rev2's LIST is RFC 5258's (RFC 9051 6.3.9): \NonExistent there too.
        if ((req.extended || s.rev2()) && implied_levels && (l.attributes & kNoselect)) l.nonexistent = true;
        if (!show_children) l.attributes &= ~uint32_t{kHasChildren | kHasNoChildren};
        if (show_special && !l.nonexistent) {
            auto u = uses.find(name);
            if (u != uses.end()) l.special_use = u->second;
        }
        s.untagged(list_text(s, "LIST", name, l));
        if ((req.returns & kReturnStatus) && !(l.attributes & kNoselect) && !l.nonexistent) {
            try {
                send_status(s, name, req.status_items);
            } catch (const MailError&) {
                // RFC 5819: no STATUS for a mailbox that cannot be opened
            }
        }
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
    std::string full = pattern_from_client(s, reference + pattern);
    std::vector<std::string> subscribed = store.subscriptions();
    std::map<std::string, uint32_t> found;
    for (const std::string& name : subscribed) {
        if (list_match(full, name_to_client(s, name))) {
            found[name] &= ~uint32_t{kNoselect};
            found.try_emplace(name, 0);
            continue;
        }
        // RFC 3501 6.3.9: a level that '%' matches above a subscribed
        // mailbox it hides is returned \Noselect when not itself subscribed.
        for (size_t slash = name.rfind(kHierarchySeparator); slash != std::string::npos && slash > 0;
             slash = name.rfind(kHierarchySeparator, slash - 1)) {
            std::string parent = name.substr(0, slash);
            if (list_match(full, name_to_client(s, parent)) && !has(subscribed, parent)) found.try_emplace(parent, kNoselect);
        }
    }
    for (const auto& [name, attributes] : found) {
        ListLine l;
        l.attributes = attributes;
        s.untagged(list_text(s, "LSUB", name, l));
    }
    return Reply::ok("Lsub completed");
}

}  // namespace mail::imapd
