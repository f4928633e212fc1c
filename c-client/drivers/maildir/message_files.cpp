#include "drivers/maildir/message_files.hpp"

#include <algorithm>
#include <limits>

#include "util/error.hpp"

namespace mail::maildir {

uint32_t MessageFiles::store(std::string_view name) {
    if (name.size() > std::numeric_limits<uint8_t>::max())
        throw MailError(ErrorKind::Corrupt, "maildir file name longer than 255 bytes");
    if (arena_.size() + name.size() > std::numeric_limits<uint32_t>::max()) compact();
    auto offset = static_cast<uint32_t>(arena_.size());
    arena_.append(name);
    return offset;
}

void MessageFiles::push_back(std::string_view name, bool in_new) {
    Record r;
    r.offset = store(name);
    r.length = static_cast<uint8_t>(name.size());
    r.base_length = static_cast<uint8_t>(std::min(name.find(':'), name.size()));
    r.bits = in_new ? kInNew : 0;
    records_.push_back(r);
}

void MessageFiles::set_name(size_t i, std::string_view name, bool in_new) {
    Record& r = records_.at(i);
    // The base is the message's identity: only the flags part changes.
    garbage_ += r.length;
    r.offset = store(name);
    r.length = static_cast<uint8_t>(name.size());
    r.base_length = static_cast<uint8_t>(std::min(name.find(':'), name.size()));
    set_bit(i, kInNew, in_new);
    if (garbage_ > 4096 && garbage_ > arena_.size() / 2) compact();
}

void MessageFiles::set_bit(size_t i, uint8_t bit, bool on) {
    Record& r = records_.at(i);
    r.bits = static_cast<uint8_t>(on ? (r.bits | bit) : (r.bits & ~bit));
}

void MessageFiles::erase(size_t i) {
    garbage_ += records_.at(i).length;
    records_.erase(records_.begin() + static_cast<ptrdiff_t>(i));
    if (garbage_ > 4096 && garbage_ > arena_.size() / 2) compact();
}

void MessageFiles::erase_marked(const std::vector<bool>& remove) {
    size_t out = 0;
    for (size_t i = 0; i < records_.size(); ++i) {
        if (i < remove.size() && remove[i]) {
            garbage_ += records_[i].length;
            continue;
        }
        records_[out++] = records_[i];
    }
    records_.resize(out);
    if (garbage_ > 4096 && garbage_ > arena_.size() / 2) compact();
}

void MessageFiles::compact() {
    std::string fresh;
    fresh.reserve(arena_.size() - garbage_);
    for (Record& r : records_) {
        auto offset = static_cast<uint32_t>(fresh.size());
        fresh.append(arena_, r.offset, r.length);
        r.offset = offset;
    }
    arena_ = std::move(fresh);
    garbage_ = 0;
}

}  // namespace mail::maildir
