#include "imapd/commands/fetch_plan.hpp"

#include <algorithm>

namespace mail::imapd {

namespace {

using Kind = FetchItem::Kind;

// Dovecot's "buffered" handlers: answered before everything else.
bool is_small(Kind k) {
    return k == Kind::Uid || k == Kind::Flags || k == Kind::InternalDate || k == Kind::Rfc822Size ||
           k == Kind::ModSeq;
}

bool is_section(Kind k) { return k == Kind::BodySection || k == Kind::BinarySection || k == Kind::BinarySize; }

}  // namespace

FetchPlan plan_fetch(const std::vector<FetchItem>& requested, bool uid_command) {
    FetchPlan plan;
    std::vector<FetchItem> small, large;
    auto seen_before = [&](const FetchItem& item) {
        const auto& group = is_small(item.kind) ? small : large;
        return std::any_of(group.begin(), group.end(), [&](const FetchItem& f) { return f.kind == item.kind; });
    };
    if (uid_command) {
        FetchItem uid;
        uid.kind = Kind::Uid;
        small.push_back(uid);
    }
    for (const FetchItem& item : requested) {
        if (!is_section(item.kind) && seen_before(item)) continue;
        (is_small(item.kind) ? small : large).push_back(item);
    }
    plan.implicit_flags_at = small.size();
    plan.items = std::move(small);
    plan.items.insert(plan.items.end(), large.begin(), large.end());
    for (const FetchItem& item : plan.items) {
        plan.has_flags |= item.kind == Kind::Flags;
        plan.sets_seen |= item.sets_seen();
        switch (item.kind) {
        // The message is read for these only when the cache misses.
        case Kind::Envelope: plan.needs_envelope = true; break;
        case Kind::Body:
        case Kind::BodyStructure: plan.needs_bodystructure = true; break;
        case Kind::Rfc822:
        case Kind::Rfc822Header:
        case Kind::Rfc822Text:
        case Kind::BodySection:
        case Kind::BinarySection:
        case Kind::BinarySize: plan.needs_structure = plan.needs_content = true; break;
        default: break;
        }
    }
    return plan;
}

}  // namespace mail::imapd
