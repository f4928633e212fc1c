#include "cache/message_cache.hpp"

#include <algorithm>

namespace mail {

MessageCache::Entry* MessageCache::find(Uid uid) {
    auto it = std::find_if(entries_.begin(), entries_.end(), [uid](const Entry& e) { return e.uid == uid; });
    if (it == entries_.end()) return nullptr;
    std::rotate(it, it + 1, entries_.end());
    return &entries_.back();
}

MessageCache::Entry& MessageCache::slot(Uid uid) {
    if (Entry* e = find(uid)) return *e;
    if (capacity_ == 0) capacity_ = 1;
    if (entries_.size() >= capacity_) entries_.erase(entries_.begin());
    entries_.push_back(Entry{uid, nullptr, std::nullopt});
    return entries_.back();
}

std::shared_ptr<const MimePart> MessageCache::structure(Uid uid) {
    Entry* e = find(uid);
    return e ? e->structure : nullptr;
}

void MessageCache::put_structure(Uid uid, std::shared_ptr<const MimePart> structure) {
    slot(uid).structure = std::move(structure);
}

std::optional<std::string> MessageCache::envelope(Uid uid) {
    Entry* e = find(uid);
    return e ? e->envelope : std::nullopt;
}

void MessageCache::attach(std::string path, Uid uidvalidity) {
    clear();
    file_ = std::make_unique<CacheFile>(std::move(path), uidvalidity);
}

CachedFields MessageCache::fields(const MessageKey& key, unsigned wanted) {
    CachedFields out;
    if (file_) out = file_->lookup(key, wanted);
    if ((wanted & kCacheEnvelope) && !out.envelope)
        if (Entry* e = find(key.uid); e && e->envelope) out.envelope = e->envelope;
    return out;
}

void MessageCache::add_fields(const MessageKey& key, const CachedFields& fields) {
    if (file_) {
        file_->add(key, fields);
    } else if (fields.envelope) {
        put_envelope(key.uid, *fields.envelope);
    }
}

void MessageCache::flush() {
    if (file_) file_->flush();
}

void MessageCache::clear() {
    entries_.clear();
    file_.reset();  // flushes
}

void MessageCache::put_envelope(Uid uid, std::string envelope) { slot(uid).envelope = std::move(envelope); }

}  // namespace mail
